"""Every request that shows a pupil's personal data leaves an audit row naming the pupils shown
(trusts.audit.record_pupils_shown), whatever the page: lists, searches, forms, checks. Walks
every page of the persona matrix and compares the pupils whose names a page shows with the
pupils its audit rows name."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django_scopes import scopes_disabled

from pupils.models import Pupil

from .test_url_matrix import ROUTES, world  # noqa: F401 - the matrix's world fixture

pytestmark = pytest.mark.django_db


def _named_on(body: str, pupils) -> set[int]:
    return {
        p.pk for p in pupils if f"{p.surname}, {p.forename}" in body or f"{p.forename} {p.surname}" in body
    }


def _named_in_audit(since: int) -> set[int]:
    named: set[int] = set()
    for entry in LogEntry.objects.filter(pk__gt=since):
        data = entry.additional_data or {}
        named.update(data.get("pupils", []))
        if entry.content_type.model == "pupil" and entry.object_pk:
            named.add(int(entry.object_pk))
    return named


@pytest.mark.parametrize("name", [n for n, r in sorted(ROUTES.items()) if r.method == "GET" and r.allowed])
def test_a_page_showing_pupils_leaves_an_audit_row_naming_them(client, world, name):  # noqa: F811
    route = ROUTES[name]
    with scopes_disabled():
        pupils = list(Pupil.objects.all())
    for persona in sorted(route.allowed):
        client.force_login(world.users[persona])
        since = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(reverse(name, kwargs=route.kwargs(world, "own")))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        shown = _named_on(response.content.decode(), pupils)
        missing = shown - _named_in_audit(since)
        assert not missing, f"{name} as {persona} showed pupils {sorted(missing)} unaudited"
