"""The dashboards served from the figures cache (reports.pages, trusts.freshness): a change
that the figures were computed from shows on the next view, a change they were not computed from
leaves them in the cache, and the reader's access and permissions are never mixed up by it.

Transactional tests: the cache is used only once writes have committed."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services as casework_services
from casework.models import Case
from funding import demo as funding_demo
from funding import services as funding_services
from funding.models import Award, Band, Claim, ClaimStatus
from funding.selectors import default_financial_year
from funding.tests.factories import ehcp_pupil
from pupils.models import CensusSnapshot
from reports import sections
from trusts.tests.factories import data_admin, executive, head_of_send, headteacher, senco

from .conftest import AUTUMN_2025, SPRING_2025, make_reference

pytestmark = pytest.mark.django_db(transaction=True)

HOLY_CROSS = "8833001"  # a Christus school
ST_THOMAS_MORE = "8824001"  # an Assisi school


@pytest.fixture
def reference():
    return make_reference()


def trust_url(trust) -> str:
    return f"/reports/trusts/{trust.slug}/"


def school_url(laestab: str) -> str:
    return f"/reports/schools/{laestab}/"


CROSS_TRUST_URL = "/reports/cross-trust/"


def signed_in(user) -> Client:
    """A client signed in as `user`. Signing in sets the user's last_login, which no figures
    read (trusts.freshness.UNVERSIONED_COLUMNS), so it leaves cached pages in place."""
    client = Client()
    client.force_login(user)
    return client


def view(client: Client, url: str) -> tuple[str, int]:
    """The page as the client's user sees it, and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(queries.captured_queries)


def warm(client: Client, url: str) -> tuple[str, int, int]:
    """View the page until its figures are in the cache: (the page, the queries of a view that
    computed them, the queries of a view served from the cache)."""
    _html, first = view(client, url)
    _html, second = view(client, url)
    html, hit = view(client, url)
    _html, again = view(client, url)
    assert hit == again, "the figures were not served from the cache by the third view"
    assert hit < min(first, second)
    return html, min(first, second), hit


def entries(kind: str) -> list[bytes]:
    """The stored figures of this kind in the figures cache."""
    cache = caches["figures"]
    client = cache._cache.get_client(write=False)
    return list(client.scan_iter(match=cache.make_key(f"figures:{kind}:") + "*"))


def learned_tables(kind: str) -> list[str]:
    return caches["figures"].get(f"figures-tables:{kind}") or []


def row_cells(html: str, header: str) -> list[str]:
    """The numeric cells of the table row headed `header`."""
    match = re.search(r'<th scope="row" class="govuk-table__header">' + re.escape(header)
                      + r"</th>(.*?)</tr>", html, re.S)
    assert match, f"no row headed {header!r}"
    return re.findall(r'<td class="govuk-table__cell portal-numeric">([^<]*)</td>',
                      match.group(1))


def tables_read(client: Client, url: str) -> set[str]:
    """The tables named by the queries of one view of the page."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return {t for q in queries.captured_queries
            for t in re.findall(r'\b(?:FROM|JOIN)\s+"(\w+)"', q["sql"])}


def awarded_claim(school) -> Claim:
    """An EHC plan claim of the current financial year, awarded from its first day."""
    funding_demo.seed_banding_tables()
    year = default_financial_year(timezone.localdate())
    band = Band.objects.filter(scheme__local_authority=school.local_authority,
                               scheme__financial_year=year).first()
    claim = Claim.objects.create(
        school=school, pupil=ehcp_pupil(school, home_local_authority=school.local_authority),
        local_authority=school.local_authority, financial_year=year, requested_band=band,
        evidence_summary="EHC plan", provision_to_fund="TA", status=ClaimStatus.AWARDED)
    Award.objects.create(claim=claim, band=band, start_date=datetime.date(year, 4, 1))
    return claim


def on_roll(html: str) -> str:
    match = re.search(r"Census [^:<]+: ([\d,]+) pupils on roll", html)
    assert match, "no census figures on the page"
    return match.group(1)


def time_split(html: str) -> str:
    match = re.search(r'<table class="govuk-table report-table" id="time-split-1">.*?</table>',
                      html, re.S)
    assert match, "no time split on the page"
    return match.group(0)


def dashboard_sections(html: str) -> str:
    """The figures part of a dashboard page (the rest has the request's CSRF token)."""
    start = html.index('<section class="govuk-!-margin-bottom-8"')
    return html[start:html.rindex("</section>")]


def casework_section(html: str) -> str:
    return html.split('id="section-casework"', 1)[1].split("</section>", 1)[0]


def open_case(school, actor, *, next_action_due: datetime.date | None = None) -> Case:
    return casework_services.case_open(
        actor=actor, school=school, kind=Case.Kind.COMPLAINT, title="Complaint about transport",
        owner=actor, opened_on=timezone.localdate(), next_action_due=next_action_due)


# --- A change the figures were computed from shows on the next view ----------------------------


def test_someone_signing_in_leaves_the_trust_dashboard_in_the_cache(reference):
    others = [executive(reference.assisi), senco(reference.schools[HOLY_CROSS])]
    reader = signed_in(executive(reference.christus))
    html, _miss, hit = warm(reader, trust_url(reference.christus))

    for user in others:
        signed_in(user)

    again, queries = view(reader, trust_url(reference.christus))
    assert queries == hit
    assert dashboard_sections(again) == dashboard_sections(html)


def test_the_trust_dashboard_shows_a_case_opened_after_it_was_first_viewed(reference):
    school = reference.schools[HOLY_CROSS]
    manager = senco(school)
    reader = signed_in(executive(reference.christus))
    html, _miss, _hit = warm(reader, trust_url(reference.christus))
    assert row_cells(html, "All cases")[-1] == "0"
    assert "No cases were recorded for these schools." in html

    open_case(school, manager)

    html, _queries = view(reader, trust_url(reference.christus))
    assert row_cells(html, "All cases")[-2:] == ["1 / 0", "1"]
    assert "No cases were recorded for these schools." not in html
    assert "1 is open now" in html


def test_the_trust_dashboard_stays_cached_when_a_case_note_is_added(reference):
    school = reference.schools[HOLY_CROSS]
    manager = senco(school)
    case = open_case(school, manager)
    reader = signed_in(executive(reference.christus))
    before, miss, hit = warm(reader, trust_url(reference.christus))
    stored = entries("trust-dashboard")
    assert len(stored) == 1
    tables = learned_tables("trust-dashboard")
    assert "casework_case" in tables
    assert "casework_casenote" not in tables

    casework_services.case_add_note(actor=manager, case=case, text="Called the parents back.")

    html, queries = view(reader, trust_url(reference.christus))
    assert queries == hit < miss
    assert entries("trust-dashboard") == stored
    assert dashboard_sections(html) == dashboard_sections(before)


def test_after_a_case_is_opened_the_trust_dashboard_recomputes_only_the_casework_figures(
        reference):
    school = reference.schools[HOLY_CROSS]
    awarded_claim(school)
    reader = signed_in(executive(reference.christus))
    _html, miss, hit = warm(reader, trust_url(reference.christus))
    url = trust_url(reference.christus)

    open_case(school, senco(school))

    tables = tables_read(reader, url)
    assert "casework_case" in tables
    assert not {t for t in tables if t.startswith(("funding_", "pupils_"))}
    _html, queries = view(reader, url)
    assert queries == hit


def test_after_a_case_is_opened_the_trust_dashboard_draws_only_its_casework_part_again(
        reference):
    school = reference.schools[HOLY_CROSS]
    manager = senco(school)  # a new user changes the time split's figures: made first
    reader = signed_in(executive(reference.christus))
    url = trust_url(reference.christus)
    before, _miss, _hit = warm(reader, url)
    parts = {part: entries(f"trust-page-{part}") for part in sections.TRUST_PARTS}
    assert all(len(stored) == 1 for stored in parts.values())

    open_case(school, manager)
    html, _queries = view(reader, url)

    redrawn = {part for part in sections.TRUST_PARTS if entries(f"trust-page-{part}") != parts[part]}
    assert redrawn == {sections.CASEWORK}
    assert "1 is open now" in html
    # The other parts' sections are as they were.
    assert html.split('id="section-schools"', 1)[1].split("</section>", 1)[0] == \
        before.split('id="section-schools"', 1)[1].split("</section>", 1)[0]


def test_an_earlier_census_of_the_trust_dashboard_draws_only_its_register_part_anew(reference):
    reader = signed_in(executive(reference.christus))
    url = trust_url(reference.christus)
    warm(reader, url)
    others = [p for p in sections.TRUST_PARTS if p != sections.REGISTER]
    parts = {part: entries(f"trust-page-{part}") for part in others}

    html, _queries = view(reader, f"{url}?census={SPRING_2025.isoformat()}")

    assert f"Census {SPRING_2025:%-d %b %Y}" in html
    assert len(entries("trust-page-register")) == 2
    assert {part: entries(f"trust-page-{part}") for part in others} == parts


def test_the_trust_dashboard_shows_a_payment_recorded_after_it_was_first_viewed(reference):
    school = reference.schools[HOLY_CROSS]
    claim = awarded_claim(school)
    headteacher_of_school = headteacher(school)  # who submits claims and records payments
    reader = signed_in(executive(reference.christus))
    url = trust_url(reference.christus)
    html, _miss, _hit = warm(reader, url)
    received = 2  # the column of the funding table: claims, claimed, expected, received
    assert row_cells(html, school.name)[received + 1] == "£0.00"

    funding_services.payment_record(actor=headteacher_of_school, claim=claim, amount=Decimal("1015.89"),
                                    received_on=datetime.date(claim.financial_year, 5, 1))

    # Only the payments (with their claims' schools) are read again; awards, costs, pupils,
    # censuses and cases come from the cache.
    tables = tables_read(reader, url)
    assert "funding_payment" in tables
    assert not tables & {"funding_award", "funding_provisioncost", "pupils_pupil",
                         "pupils_censussnapshot", "casework_case"}
    html, _queries = view(reader, url)
    assert row_cells(html, school.name)[received + 1] == "£1,015.89"


def test_the_school_dashboard_shows_a_changed_census_snapshot(reference):
    school = reference.schools[HOLY_CROSS]
    reader = signed_in(senco(school))
    html, _miss, _hit = warm(reader, school_url(HOLY_CROSS))
    snapshot = CensusSnapshot.objects.get(school=school, census_date=AUTUMN_2025)
    assert on_roll(html) == f"{snapshot.number_on_roll:,}" != "1,234"

    snapshot.number_on_roll = 1234
    snapshot.save()

    html, _queries = view(reader, school_url(HOLY_CROSS))
    assert on_roll(html) == "1,234"


def test_after_a_case_is_opened_the_school_dashboard_draws_only_its_casework_again(reference):
    school = reference.schools[HOLY_CROSS]
    manager = senco(school)
    reader = signed_in(manager)
    before, _miss, _hit = warm(reader, school_url(HOLY_CROSS))
    parts = {part: entries(f"school-page-{part}") for part in ("register", "casework", "funding")}
    assert all(len(stored) == 1 for stored in parts.values())

    open_case(school, manager, next_action_due=timezone.localdate() + datetime.timedelta(days=3))

    html, _queries = view(reader, school_url(HOLY_CROSS))
    redrawn = {part for part, stored in parts.items() if entries(f"school-page-{part}") != stored}
    assert redrawn == {"casework"}
    assert "Due in 3 days" in casework_section(html)
    assert "Due in 3 days" not in casework_section(before)


def test_the_cross_trust_dashboard_shows_a_case_opened_after_it_was_first_viewed(reference):
    head = head_of_send(reference.assisi, reference.christus)
    reader = signed_in(head)
    html, _miss, _hit = warm(reader, CROSS_TRUST_URL)
    # One column per trust, by name: Assisi, then Christus.
    assert row_cells(html, "Cases open now") == ["0", "0"]

    open_case(reference.schools[HOLY_CROSS], head)

    html, _queries = view(reader, CROSS_TRUST_URL)
    assert row_cells(html, "Cases open now") == ["0", "1"]


def test_after_a_payment_the_cross_trust_dashboard_draws_only_the_trust_columns_again(reference):
    school = reference.schools[HOLY_CROSS]
    claim = awarded_claim(school)
    recorder = headteacher(school)
    reader = signed_in(head_of_send(reference.assisi, reference.christus))
    html, _miss, _hit = warm(reader, CROSS_TRUST_URL)
    assert row_cells(html, "Awarded (expected) / received")[1].endswith("/ £0.00")
    columns, schools = entries("cross-trust-columns"), entries("cross-trust-schools")

    funding_services.payment_record(actor=recorder, claim=claim, amount=Decimal("250.00"),
                                    received_on=datetime.date(claim.financial_year, 5, 1))

    html, _queries = view(reader, CROSS_TRUST_URL)
    assert row_cells(html, "Awarded (expected) / received")[1].endswith("/ £250.00")
    assert entries("cross-trust-schools") == schools
    assert len(entries("cross-trust-columns")) == 2 and set(columns) < set(
        entries("cross-trust-columns"))


# --- Access checks run before the cache; the reader's permissions are part of the key ---------


def test_a_reader_in_another_trust_never_gets_the_cached_page_of_a_trust_they_cannot_see(
        reference):
    christus = signed_in(executive(reference.christus))
    holy_cross = signed_in(senco(reference.schools[HOLY_CROSS]))
    outsider = signed_in(executive(reference.assisi))
    _html, _miss, trust_hit = warm(christus, trust_url(reference.christus))
    _html, _miss, school_hit = warm(holy_cross, school_url(HOLY_CROSS))

    assert outsider.get(trust_url(reference.christus)).status_code == 404
    assert outsider.get(school_url(HOLY_CROSS)).status_code == 404
    # One trust is not enough for the cross-trust page, cached or not.
    assert outsider.get(CROSS_TRUST_URL).status_code == 404
    # Their own trust's page has their own trust's schools.
    html, _queries = view(outsider, trust_url(reference.assisi))
    assert reference.schools[ST_THOMAS_MORE].name in html
    assert reference.schools[HOLY_CROSS].name not in html
    # The pages they were refused were in the cache all along.
    assert view(christus, trust_url(reference.christus))[1] == trust_hit
    assert view(holy_cross, school_url(HOLY_CROSS))[1] == school_hit


def test_a_trust_page_cached_for_a_head_of_send_does_not_name_their_other_trust_to_an_executive(
        reference):
    head = signed_in(head_of_send(reference.assisi, reference.christus))
    trust_reader = signed_in(executive(reference.christus))
    html, _miss, _hit = warm(head, trust_url(reference.christus))
    assert reference.assisi.name in time_split(html)

    html, _queries = view(trust_reader, trust_url(reference.christus))
    split = time_split(html)
    assert reference.assisi.name not in split
    assert "Other trusts" in split
    assert len(entries("trust-dashboard")) == 2


def test_readers_with_different_permissions_on_a_school_get_different_cached_figures(reference):
    school = reference.schools[HOLY_CROSS]
    manager = senco(school)
    # A dated next step: the school page lists it, linked to the case for those who may see it.
    open_case(school, manager, next_action_due=timezone.localdate() + datetime.timedelta(days=3))
    pupils_reader = signed_in(manager)  # may see pupils and cases: small counts as they are
    trust_reader = signed_in(executive(reference.christus))  # may not: small counts suppressed

    html, _miss, _hit = warm(pupils_reader, school_url(HOLY_CROSS))
    assert "fewer than 5" not in html
    assert "/casework/cases/" in casework_section(html)

    html, _queries = view(trust_reader, school_url(HOLY_CROSS))
    assert "fewer than 5" in html
    assert "/casework/cases/" not in casework_section(html)
    assert len(entries("school-dashboard")) == 2

    # Each kept apart: the SENCO's cached page is still theirs.
    html, _queries = view(pupils_reader, school_url(HOLY_CROSS))
    assert "fewer than 5" not in html
    assert "/casework/cases/" in casework_section(html)


def test_a_reader_without_funding_rights_never_gets_a_cached_page_with_funding(reference):
    school = reference.schools[HOLY_CROSS]
    funding_reader = signed_in(senco(school))
    no_funding_reader = signed_in(data_admin(reference.christus))
    html, _miss, _hit = warm(funding_reader, school_url(HOLY_CROSS))
    assert 'id="section-funding"' in html

    html, _queries = view(no_funding_reader, school_url(HOLY_CROSS))
    assert 'id="section-funding"' not in html
    assert len(entries("school-dashboard")) == 2


def test_readers_with_the_same_permissions_on_a_school_share_its_cached_figures(reference):
    school = reference.schools[HOLY_CROSS]
    first_reader = signed_in(senco(school))
    second_reader = signed_in(headteacher(school))
    first, _miss, hit = warm(first_reader, school_url(HOLY_CROSS))

    html, queries = view(second_reader, school_url(HOLY_CROSS))
    assert queries == hit
    assert len(entries("school-dashboard")) == 1
    assert on_roll(html) == on_roll(first)
