"""The periodic refresh of the dashboards (reports.pages.refresh_pages, the beat task
reports.refresh_dashboards and `manage.py refresh_dashboards`): after a pass, every page a
reader may open is served from the figures cache, figures are computed again only where they
changed or are getting old, and what one reader may see never reaches another.

Transactional tests: the figures cache is used only once writes have committed."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Case
from pupils.models import CensusSnapshot
from reports import pages, tasks
from trusts import access
from trusts.access import Capability
from trusts.tests.factories import data_admin, executive, head_of_send, headteacher, senco

from .conftest import AUTUMN_2025, make_reference
from .test_cached_pages import CROSS_TRUST_URL, HOLY_CROSS, on_roll, open_case, school_url, trust_url

pytestmark = pytest.mark.django_db(transaction=True)

# Tables that only the figures read: a view served from the cache reads none of them.
FIGURE_TABLE = re.compile(r"^(pupils|funding|casework|reports)_")


@pytest.fixture
def reference():
    return make_reference()


@pytest.fixture
def readers(reference):
    """One user of each role that has dashboards, over both trusts."""
    school = reference.schools[HOLY_CROSS]
    return {
        "SENCO": senco(school),
        "headteacher": headteacher(school),
        "Christus executive": executive(reference.christus),
        "Assisi executive": executive(reference.assisi),
        "Head of SEND": head_of_send(reference.assisi, reference.christus),
        "data admin": data_admin(reference.christus),
    }


def refresh(max_age: float = 0) -> pages.Refreshed:
    return pages.refresh_pages(max_age=max_age, today=timezone.localdate())


def dashboard_urls(user) -> list[str]:
    """Every dashboard the user may open."""
    trust_ids = access.trust_ids_for(user, Capability.VIEW_TRUST_DASHBOARD)
    urls = [school_url(s.laestab) for s in access.schools_for(user, Capability.VIEW_SCHOOL)]
    urls += [trust_url(t) for t in access.trusts_for(user, Capability.VIEW_TRUST_DASHBOARD)]
    if len(trust_ids) > 1:
        urls.append(CROSS_TRUST_URL)
    return urls


def named(queries: CaptureQueriesContext) -> set[str]:
    """The tables the captured queries named."""
    return {t for q in queries.captured_queries
            for t in re.findall(r'\b(?:FROM|JOIN)\s+"(\w+)"', q["sql"])}


def figure_tables_read(client: Client, url: str) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return {t for t in named(queries) if FIGURE_TABLE.match(t)}


def test_after_a_refresh_every_reader_meets_every_dashboard_from_the_cache(reference, readers):
    done = refresh()

    # Each executive's trust, and both trusts as the Head of SEND sees them (naming both in the
    # time split).
    assert done.trust_pages == 4
    assert done.cross_trust_pages == 1
    for role, user in readers.items():
        client = Client()
        client.force_login(user)
        urls = dashboard_urls(user)
        assert urls, role
        for url in urls:
            assert figure_tables_read(client, url) == set(), (role, url)


def test_a_refresh_leaves_fresh_figures_alone(reference, readers):
    refresh()

    with CaptureQueriesContext(connection) as queries:
        again = refresh(max_age=3600)

    assert again == refresh(max_age=3600)
    assert not {t for t in named(queries) if FIGURE_TABLE.match(t)}


def test_a_refresh_computes_again_the_figures_of_a_table_that_changed(reference, readers):
    refresh()
    school = reference.schools[HOLY_CROSS]
    open_case(school, readers["SENCO"])

    with CaptureQueriesContext(connection) as queries:
        refresh(max_age=3600)

    read = named(queries)
    assert Case._meta.db_table in read
    assert CensusSnapshot._meta.db_table not in read
    client = Client()
    client.force_login(readers["Christus executive"])
    assert figure_tables_read(client, trust_url(reference.christus)) == set()
    assert "1 is open now" in client.get(trust_url(reference.christus)).content.decode()


def test_a_refresh_shows_a_census_changed_where_the_cache_did_not_see_it(reference, readers,
                                                                         outside_sql):
    client = Client()
    client.force_login(readers["SENCO"])
    refresh()
    before = on_roll(client.get(school_url(HOLY_CROSS)).content.decode())
    snapshot = CensusSnapshot.objects.get(school=reference.schools[HOLY_CROSS],
                                          census_date=AUTUMN_2025)
    outside_sql("UPDATE pupils_censussnapshot SET number_on_roll = 4321 WHERE id = %s",
                [snapshot.pk])
    assert on_roll(client.get(school_url(HOLY_CROSS)).content.decode()) == before

    refresh(max_age=0)

    assert on_roll(client.get(school_url(HOLY_CROSS)).content.decode()) == "4,321"


def test_the_refresh_keeps_each_readers_permissions_apart(reference, readers):
    refresh()
    school_page = school_url(HOLY_CROSS)
    manager, trustee = Client(), Client()
    manager.force_login(readers["SENCO"])
    trustee.force_login(readers["Christus executive"])

    assert "fewer than 5" not in manager.get(school_page).content.decode()
    assert "fewer than 5" in trustee.get(school_page).content.decode()
    split = trustee.get(trust_url(reference.christus)).content.decode()
    assert reference.assisi.name not in split.split('id="time-split-1"', 1)[1]


def test_an_inactive_user_has_no_pages_refreshed(reference):
    user = executive(reference.christus)
    user.is_active = False
    user.save()

    assert refresh() == pages.Refreshed(0, 0, 0)


def test_the_refresh_task_reads_every_page_and_says_how_many(reference, readers):
    done = refresh()

    assert tasks.refresh_dashboards() == done.trust_pages + done.cross_trust_pages + done.school_pages


def test_the_refresh_task_does_nothing_while_another_pass_is_running(reference, readers):
    cache.set(tasks.REFRESH_LOCK, 1)
    try:
        with CaptureQueriesContext(connection) as queries:
            assert tasks.refresh_dashboards() is None
        assert queries.captured_queries == []
    finally:
        cache.delete(tasks.REFRESH_LOCK)
    assert tasks.refresh_dashboards() is not None


def test_the_refresh_task_does_nothing_while_the_figures_cache_is_not_answering(
        reference, readers, monkeypatch):
    monkeypatch.setattr("trusts.freshness.answering", lambda: False)

    with CaptureQueriesContext(connection) as queries:
        assert tasks.refresh_dashboards() is None

    assert queries.captured_queries == []


def test_beat_runs_the_refresh_every_interval_before_the_figures_expire():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-refresh-dashboards"]

    assert entry["task"] == tasks.refresh_dashboards.name
    assert entry["schedule"] == settings.REPORTS_REFRESH_INTERVAL
    assert (settings.REPORTS_REFRESH_MAX_AGE + settings.REPORTS_REFRESH_INTERVAL
            < settings.FIGURES_CACHE_TIMEOUT)


def test_the_refresh_command_says_how_many_pages_it_read(reference, readers):
    out = io.StringIO()

    call_command("refresh_dashboards", "--max-age", "0", stdout=out)

    assert re.match(r"Read 4 trust, 1 cross-trust and \d+ school dashboard page\(s\) in ",
                    out.getvalue())


def test_the_refresh_command_refuses_a_negative_age():
    with pytest.raises(CommandError, match="0 or more"):
        call_command("refresh_dashboards", "--max-age", "-1")
