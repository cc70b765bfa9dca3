"""The pupil page as the hub and the SENCO's home page: what each reader sees, the links and
the filtered lists they open, the names of records in every list, and query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import services as casework
from casework.models import EHCPlan
from funding import services as funding
from funding.models import Band, BandingScheme, Claim
from pupils import services as pupils_services
from pupils.models import RegisterEvent
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.models import School
from trusts.tests.factories import (
    SchoolFactory,
    TrustFactory,
    data_admin,
    executive,
    head_of_send,
    headteacher,
    senco,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
# "Case 64", "Request 15": a record named by its number, in a link or a heading.
BARE_NUMBER = re.compile(r">\s*(Case|Request|Plan|Claim|EHC plan|Review) \d+\s*<")


class World:
    pass


def _band(la) -> Band:
    scheme, _ = BandingScheme.objects.get_or_create(local_authority=la, financial_year=2025)
    band, _ = Band.objects.get_or_create(
        scheme=scheme, label="3", defaults={"annual_value": "4800.00", "order": 3}
    )
    return band


@pytest.fixture
def world(db):
    w = World()
    w.trust, w.other_trust = TrustFactory(name="Hub Trust"), TrustFactory(name="Other Trust")
    w.school = SchoolFactory(trust=w.trust, name="Hub Primary", phase=School.Phase.PRIMARY)
    w.other = SchoolFactory(trust=w.other_trust, name="Elsewhere Primary")
    w.senco, w.head = senco(w.school), headteacher(w.school)
    w.hos, w.exec = head_of_send(w.trust), executive(w.trust)
    w.admin, w.other_senco = data_admin(w.trust), senco(w.other)
    CensusSnapshotFactory(school=w.school, census_date=dt.date(2025, 10, 2))
    # A pupil the census records as E: the register makes the plan record.
    w.pupil = PupilFactory(
        school=w.school,
        year_group="5",
        surname="Hubbard",
        forename="Ada",
        primary_need="ASD",
        secondary_need="SLCN",
    )
    pupils_services.pupil_change_register(
        actor=w.senco, pupil=w.pupil, provision="E", primary_need="ASD", secondary_need="SLCN"
    )
    w.plan = EHCPlan.objects.get(pupil=w.pupil)
    w.case = casework.case_open(
        actor=w.senco,
        school=w.school,
        kind="complaint",
        title="Concern about lunchtimes",
        owner=w.senco,
        pupil=w.pupil,
        opened_on=TODAY - 10 * DAY,
        next_action_due=TODAY + 3 * DAY,
    )
    w.request = casework.ehc_request_create(
        actor=w.senco, pupil=w.pupil, requested_by="parent", request_date=TODAY - 40 * DAY
    )
    w.claim = funding.claim_create(
        actor=w.senco,
        pupil=w.pupil,
        requested_band=_band(w.pupil.home_local_authority),
        evidence_summary="Plan section F",
        provision_to_fund="Support",
    )
    funding.claim_submit(actor=w.head, claim=w.claim, submitted_on=TODAY - 5 * DAY)
    # A second pupil with a dated plan and a review whose LA decision is overdue.
    w.reviewed = PupilFactory(school=w.school, provision="E", primary_need="MLD", year_group="3")
    w.dated = casework.ehc_plan_create(actor=w.senco, pupil=w.reviewed, issue_date=TODAY - 400 * DAY)
    casework.annual_review_record(actor=w.senco, plan=w.dated, meeting_date=TODAY - 40 * DAY)
    return w


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- The pupil page -----------------------------------------------------------------------------


def test_the_pupil_page_says_who_the_child_is_and_links_to_each_record(client, world):
    body = page(client, world.senco, f"/pupils/{world.pupil.pk}/").content.decode()
    for text in (
        "Ada Hubbard",
        world.pupil.upn,
        "Year 5",
        "EHC plan",
        "ASD – Autistic",
        "SLCN – Speech",
        world.pupil.home_local_authority.name,
        "Hub Primary",
    ):
        assert text in body, text
    assert body.index("(primary)") < body.index("(secondary)")  # needs ranked
    for href in (
        f"/casework/plans/{world.plan.pk}/",
        f"/casework/cases/{world.case.pk}/",
        f"/casework/ehc-requests/{world.request.pk}/",
        f"/funding/claims/{world.claim.pk}/",
    ):
        assert f'href="{href}' in body, href
    for heading in (
        "EHC plan and annual reviews",
        "EHC needs assessment requests",
        "Cases",
        "Funding claims",
        "Register history",
    ):
        assert f">{heading}</h2>" in body, heading
    assert "Complaint: Concern about lunchtimes" in body  # kind and title, never "Case 12"
    assert "Details to complete" in body and "Enter the plan&#x27;s issue date" in body
    assert "Submitted" in body and "£4,800.00 a year" in body
    assert 'id="pupil-history"' in body and "EHC plan issued" in body  # K to E
    assert 'id="pupil-due-next"' in body
    assert not BARE_NUMBER.search(body)


def test_each_section_is_shown_only_to_readers_with_its_capability(client, world):
    url = f"/pupils/{world.pupil.pk}/"
    head = page(client, world.head, url).content.decode()
    assert ">Cases</h2>" in head and ">Funding claims</h2>" in head
    # A headteacher reads: no action to open a case or draft a claim.
    assert "Open a case for this pupil" not in head and "Draft a claim" not in head
    senco_body = page(client, world.senco, url).content.decode()
    assert "Open a case for this pupil" in senco_body and "Draft a claim for this pupil" in senco_body
    admin = page(client, world.admin, url).content.decode()
    assert ">Register history</h2>" in admin
    for hidden in (
        "EHC plan and annual reviews",
        "Funding claims",
        ">Cases</h2>",
        "Concern about lunchtimes",
    ):
        assert hidden not in admin, hidden
    assert page(client, world.exec, url).status_code == 404
    assert page(client, world.other_senco, url).status_code == 404


def test_the_change_and_remove_forms_still_work_from_the_hub(client, world):
    client.force_login(world.senco)
    url = f"/pupils/{world.pupil.pk}/"
    bad = client.post(f"{url}change/", {"provision": "E", "primary_need": "ASD", "secondary_need": "ASD"})
    assert bad.status_code == 400
    assert "cannot be the same" in bad.content.decode()
    assert ">Cases</h2>" in bad.content.decode()  # the sections are still there
    ok = client.post(f"{url}change/", {"provision": "E", "primary_need": "SEMH"})
    assert ok.status_code == 302
    assert RegisterEvent.objects.filter(pupil=world.pupil, kind="need_changed").exists()
    assert "Need changed" in client.get(url).content.decode()


def _more_records(world, n):
    for i in range(n):
        casework.case_open(
            actor=world.senco,
            school=world.school,
            kind="other",
            title=f"Extra {i}",
            owner=world.senco,
            pupil=world.pupil,
            opened_on=TODAY - DAY,
        )
        funding.claim_create(
            actor=world.senco,
            pupil=world.pupil,
            requested_band=_band(world.pupil.home_local_authority),
            evidence_summary="More",
            provision_to_fund="More",
        )
        casework.annual_review_record(
            actor=world.senco, plan=world.dated, meeting_date=TODAY - (41 + i) * DAY
        )
    pupils_services.pupil_change_register(
        actor=world.senco, pupil=world.pupil, provision="E", primary_need="MLD", note="More history"
    )


def test_the_pupil_page_takes_the_same_queries_whatever_the_number_of_records(client, world):
    client.force_login(world.senco)
    url = f"/pupils/{world.pupil.pk}/"
    client.get(url)  # the session's first page saves it
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_records(world, 6)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count("Extra ") == 6
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 30


def test_the_reviewed_pupils_plan_shows_its_reviews_and_what_is_due(client, world):
    body = page(client, world.senco, f"/pupils/{world.reviewed.pk}/").content.decode()
    assert f"Annual review meeting {(TODAY - 40 * DAY).day}" in body
    assert "LA decision awaited" in body
    assert "LA decision after the latest review by" in body


# --- The SENCO's home page -------------------------------------------------------------------------


def _tasks(body: str) -> dict[str, tuple[str, str]]:
    """{label: (href, status text)} of the home page's task list."""
    out = {}
    for href, label, status in re.findall(
        r'<a class="govuk-link govuk-task-list__link" href="([^"]+)"[^>]*>([^<]+)</a>.*?'
        r'class="govuk-task-list__status"[^>]*>\s*(.*?)\s*</div>',
        body,
        re.S,
    ):
        out[label.replace("&#x27;", "'")] = (
            href.replace("&amp;", "&"),
            re.sub(r"<[^>]+>", "", status).strip(),
        )
    return out


def test_the_senco_sees_the_weeks_work_and_each_line_opens_its_filtered_list(client, world):
    body = page(client, world.senco, "/").content.decode()
    assert "Your work this week" in body and 'data-school="' in body
    tasks = _tasks(body)
    assert set(tasks) >= {
        "Annual reviews and EHC plan deadlines",
        "E pupils whose EHC plan record needs completing",
        "Cases with a next action due",
        "EHC needs assessment deadlines",
        "Top-up claims awaiting the LA's decision",
    }
    assert any(label.startswith("Next school census: ") for label in tasks)
    expect = {  # label: (count shown, what marks a row of the list it links to)
        "Annual reviews and EHC plan deadlines": (1, 'data-plan="'),
        "E pupils whose EHC plan record needs completing": (1, 'data-plan="'),
        "Cases with a next action due": (1, 'data-ref="Case '),
        "EHC needs assessment deadlines": (1, 'data-ref="Request '),
        "Top-up claims awaiting the LA's decision": (1, 'data-claim="'),
    }
    for label, (count, marker) in expect.items():
        href, status = tasks[label]
        assert status == f"{count} to do", (label, status)
        listed = client.get(href)
        assert listed.status_code == 200, href
        assert listed.content.decode().count(marker) == count, (label, href)
    # Names stay out of the links: ids and codes only.
    assert "Hubbard" not in "".join(h for h, _ in tasks.values())


def test_the_census_line_links_the_senco_to_the_register_and_the_admin_to_the_upload(client, world):
    senco_tasks = _tasks(page(client, world.senco, "/").content.decode())
    [(href, status)] = [v for k, v in senco_tasks.items() if k.startswith("Next school census")]
    assert href == f"/pupils/schools/{world.school.laestab}/register/" and status.startswith("in ")
    admin_tasks = _tasks(page(client, world.admin, "/").content.decode())
    assert list(admin_tasks) == [k for k in admin_tasks if k.startswith("Next school census")]
    assert admin_tasks[next(iter(admin_tasks))][0] == "/pupils/imports/"


def test_the_headteacher_reads_the_list_and_the_executive_sees_no_tasks(client, world):
    head = page(client, world.head, "/").content.decode()
    assert "Your work this week" in head and "the SENCO keeps them up to date" in head
    body = page(client, world.exec, "/").content.decode()
    assert "Your work this week" not in body and "govuk-task-list" not in body
    assert "Your schools" in body and 'data-school="' in body


def test_the_home_page_takes_the_same_queries_whatever_the_number_of_records(client, world):
    client.force_login(world.hos)
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    _more_records(world, 5)
    for _ in range(3):
        PupilFactory(school=world.school, provision="E", primary_need="ASD")
    casework.ehc_plans_follow_register(actor=None, school_ids=[world.school.pk])
    with CaptureQueriesContext(connection) as many:
        body = client.get("/").content.decode()
    assert _tasks(body)["E pupils whose EHC plan record needs completing"][1] == "4 to do"
    assert len(many.captured_queries) == len(few.captured_queries)


# --- Lists name what a record is ----------------------------------------------------------------


def test_lists_name_each_record_by_kind_pupil_and_date_never_by_number(client, world):
    client.force_login(world.senco)
    laestab = world.school.laestab
    for url in (
        "/casework/due/",
        "/casework/cases/?view=open",
        "/casework/cases/",
        "/casework/reviews/",
        f"/casework/schools/{laestab}/ehc/",
        f"/casework/schools/{laestab}/cases/",
        "/funding/claims/",
        f"/casework/cases/{world.case.pk}/",
        f"/casework/plans/{world.plan.pk}/",
        f"/casework/ehc-requests/{world.request.pk}/",
        f"/funding/claims/{world.claim.pk}/",
    ):
        body = client.get(url).content.decode()
        assert not BARE_NUMBER.search(body), (url, BARE_NUMBER.search(body))
        title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
        assert "Hubbard" not in title, url  # titles reach the browser's history
    due = client.get("/casework/due/").content.decode()
    assert "Ada Hubbard" in due and f"Complaint opened {(TODAY - 10 * DAY).day}" in due


def test_the_executives_dashboard_names_records_without_names(client, world):
    body = page(client, world.exec, f"/reports/schools/{world.school.laestab}/").content.decode()
    assert "Hubbard" not in body and "Concern about lunchtimes" not in body
    assert not BARE_NUMBER.search(body)
    assert "Complaint case" in body  # the case named by its kind, without the pupil


# --- The filtered lists' own parameters ------------------------------------------------------------


def test_the_filters_are_kept_in_the_url_and_bad_values_change_nothing(client, world):
    client.force_login(world.senco)
    to_complete = client.get("/casework/reviews/?show=to_complete").content.decode()
    assert to_complete.count('data-plan="') == 1 and "Ada Hubbard" in to_complete
    assert client.get("/casework/reviews/?show=nonsense").status_code == 400
    assert client.get(f"/casework/reviews/?school={world.other.pk}").status_code == 400
    assert client.get("/funding/claims/?status=nonsense").status_code == 400
    assert client.get("/casework/cases/?view=open&due=nonsense").status_code == 200
    awaiting = client.get("/funding/claims/?status=awaiting").content.decode()
    assert awaiting.count('data-claim="') == 1
    drafts = client.get("/funding/claims/?status=draft").content.decode()
    assert drafts.count('data-claim="') == 0


def test_the_claims_list_shows_only_the_readers_schools_and_takes_fixed_queries(client, world):
    other_pupil = PupilFactory(school=world.other, provision="E", primary_need="ASD")
    funding.claim_create(
        actor=None,
        pupil=other_pupil,
        requested_band=_band(other_pupil.home_local_authority),
        evidence_summary="E",
        provision_to_fund="P",
    )
    client.force_login(world.senco)
    client.get("/funding/claims/")
    with CaptureQueriesContext(connection) as few:
        body = client.get("/funding/claims/").content.decode()
    assert body.count('data-claim="') == 1 and other_pupil.surname not in body
    for _ in range(4):
        funding.claim_create(
            actor=None,
            pupil=world.pupil,
            requested_band=_band(world.pupil.home_local_authority),
            evidence_summary="E",
            provision_to_fund="P",
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get("/funding/claims/").content.decode()
    assert body.count('data-claim="') == 5
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page(client, world.exec, "/funding/claims/").status_code == 404
    assert Claim.objects.count() == 6


# --- Completing a plan record -----------------------------------------------------------------


def test_the_senco_enters_the_issue_date_in_three_boxes(client, world):
    client.force_login(world.senco)
    url = f"/casework/plans/{world.plan.pk}/details/"
    missing = client.post(url, {"issue_date_day": "3", "issue_date_year": "2024"})
    assert missing.status_code == 400
    assert "Issue date must include a month" in missing.content.decode()
    unreal = client.post(url, {"issue_date_day": "31", "issue_date_month": "2", "issue_date_year": "2024"})
    assert "Issue date must be a real date" in unreal.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.issue_date is None
    done = client.post(url, {"issue_date_day": "3", "issue_date_month": "2", "issue_date_year": "2024"})
    assert done.status_code == 302
    world.plan.refresh_from_db()
    assert world.plan.issue_date == dt.date(2024, 2, 3) and world.plan.owner == world.senco
    body = client.get(f"/casework/plans/{world.plan.pk}/").content.decode()
    assert "Details to complete" not in body and "3 February 2025" in body  # next review
    client.force_login(world.head)
    assert (
        client.post(
            url, {"issue_date_day": "3", "issue_date_month": "2", "issue_date_year": "2024"}
        ).status_code
        == 404
    )


def test_the_due_list_names_whose_support_plan_review_is_due(client, world):
    from support.tests.factories import current_plan

    pupil = PupilFactory(school=world.school, forename="Bea", surname="Supported")
    plan = current_plan(pupil, world.senco, starts_on=TODAY - 30 * DAY, review_due=TODAY + 5 * DAY)
    body = page(client, world.senco, "/casework/due/?kind=support_plan_review").content.decode()
    assert "Bea Supported" in body and f"/support/plans/{plan.pk}/" in body
    assert "SEN support plan from" in body and not BARE_NUMBER.search(body)
    assert ">Support plan " not in body
