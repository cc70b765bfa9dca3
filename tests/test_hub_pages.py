"""The pupil page as the hub and the SENCO's home page: what each reader sees, the links and
the filtered lists they open, the names of records in every list, and query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework import hub as casework_hub
from casework import services as casework
from casework.models import EHCPlan, NamingConsultation
from evidence import navigation as evidence_navigation
from evidence import reference as evidence_reference
from evidence import selectors as evidence_selectors
from evidence import services as evidence
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
    # An LA consulting the school on naming it for the pupil, and an evidence pack being prepared.
    w.consultation = casework.naming_consultation_log(
        actor=w.senco,
        school=w.school,
        local_authority=w.pupil.home_local_authority,
        received_on=TODAY - 5 * DAY,
        pupil=w.pupil,
    )
    evidence_reference.load_for(w.pupil.home_local_authority)
    w.pack = evidence.pack_start(actor=w.senco, pupil=w.pupil, kind="ehc_request")
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
        claim = funding.claim_create(
            actor=world.senco,
            pupil=world.pupil,
            requested_band=_band(world.pupil.home_local_authority),
            evidence_summary="More",
            provision_to_fund="More",
        )
        casework.annual_review_record(
            actor=world.senco, plan=world.dated, meeting_date=TODAY - (41 + i) * DAY
        )
        casework.naming_consultation_log(
            actor=world.senco,
            school=world.school,
            local_authority=world.pupil.home_local_authority,
            received_on=TODAY - (20 + i) * DAY,
            pupil=world.pupil,
        )
        bid = evidence.pack_start(actor=world.senco, pupil=world.pupil, kind="top_up", claim=claim)
        evidence.pack_send(actor=world.senco, pack=bid, sent_on=TODAY)
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
    assert len(re.findall(r'href="/casework/consultations/\d+/"', body)) == 7
    assert len(re.findall(r'href="/evidence/packs/\d+/"', body)) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 30


def test_the_reviewed_pupils_plan_shows_its_reviews_and_what_is_due(client, world):
    body = page(client, world.senco, f"/pupils/{world.reviewed.pk}/").content.decode()
    assert f"Annual review meeting {(TODAY - 40 * DAY).day}" in body
    assert "LA decision awaited" in body
    assert "LA decision after the latest review by" in body


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _section(body: str, key: str) -> str:
    """The HTML of one section of the pupil page."""
    match = re.search(rf'<section class="pupils-section" id="section-{key}">(.*?)</section>', body, re.S)
    assert match, key
    return match.group(1)


def test_the_pupil_page_lists_the_las_consultations_on_naming_a_school(client, world):
    la = world.pupil.home_local_authority
    answered = casework.naming_consultation_log(
        actor=world.senco,
        school=world.school,
        local_authority=la,
        received_on=TODAY - 30 * DAY,
        pupil=world.pupil,
    )
    casework.naming_consultation_draft_response(actor=world.senco, consultation=answered, can_meet_needs=True)
    casework.naming_consultation_sign_off(
        actor=world.head, consultation=answered, responded_on=TODAY - 25 * DAY
    )
    casework.naming_consultation_record_outcome(
        actor=world.senco, consultation=answered, outcome="named", outcome_on=TODAY - 3 * DAY
    )
    # A prospective pupil's consultation, and another school's: neither is this pupil's.
    prospective = casework.naming_consultation_log(
        actor=world.senco,
        school=world.school,
        local_authority=la,
        received_on=TODAY - 2 * DAY,
        prospective_forename="Pat",
        prospective_surname="Prospect",
        prospective_date_of_birth=dt.date(2018, 1, 1),
    )
    elsewhere = casework.naming_consultation_log(
        actor=world.other_senco,
        school=world.other,
        local_authority=la,
        received_on=TODAY - 2 * DAY,
        pupil=PupilFactory(school=world.other),
    )
    body = page(client, world.senco, f"/pupils/{world.pupil.pk}/").content.decode()
    assert ">Consultations on naming a school</h2>" in body
    section = _section(body, "naming_consultations")
    open_due = world.consultation.response_due
    assert f"{la.name} consultation received {_long(TODAY - 5 * DAY)}" in section
    assert f"Response due by {_long(open_due)}. Response to draft." in section
    assert f">{world.consultation.response_status(TODAY).label}</strong>" in section
    assert f"{la.name} consultation received {_long(TODAY - 30 * DAY)}" in section
    assert ">Named</strong>" in section and f"The school was named ({_long(TODAY - 3 * DAY)})" in section
    assert f"Response sent {_long(TODAY - 25 * DAY)}" in section
    for shown in (world.consultation, answered):
        assert f'href="/casework/consultations/{shown.pk}/"' in section
    for hidden in (prospective, elsewhere):
        assert f"/casework/consultations/{hidden.pk}/" not in body
    assert "Pat Prospect" not in body
    assert "Log an LA consultation" in section
    due_next = re.search(r'data-due-next="naming_consultations">(.*?)</p>', body, re.S).group(1)
    assert f"Response to the LA&#x27;s consultation (15 days): {_long(open_due)}" in due_next
    assert not BARE_NUMBER.search(body)
    # The headteacher reads them; logging one is the SENCO's.
    head = _section(
        page(client, world.head, f"/pupils/{world.pupil.pk}/").content.decode(), "naming_consultations"
    )
    assert (
        f"/casework/consultations/{world.consultation.pk}/" in head and "Log an LA consultation" not in head
    )


def test_a_consultation_at_another_school_never_shows_on_the_pupils_page(world):
    # Made directly: the service refuses a pupil of another school, and the section checks again.
    stray = NamingConsultation.objects.create(
        school=world.other,
        local_authority=world.pupil.home_local_authority,
        pupil=world.pupil,
        received_on=TODAY - DAY,
        owner=world.other_senco,
    )
    content = casework_hub.consultation_section(world.pupil, world.hos, TODAY)
    assert [r.href for r in content.records] == [f"/casework/consultations/{world.consultation.pk}/"]
    assert stray.pk not in {int(r.href.split("/")[-2]) for r in content.records}


def test_the_new_sections_are_hidden_from_readers_without_their_capability(client, world):
    admin = page(client, world.admin, f"/pupils/{world.pupil.pk}/").content.decode()
    for hidden in (
        "Consultations on naming a school",
        "Evidence packs for the LA",
        "/casework/consultations/",
    ):
        assert hidden not in admin, hidden
    for user in (world.admin, world.exec, world.other_senco):
        assert casework_hub.consultation_section(world.pupil, user, TODAY) is None
        assert evidence_navigation.packs_section(world.pupil, user, TODAY) is None
        assert evidence_navigation.home_tasks(user, [world.school], TODAY) == []
    # The other school's SENCO counts their own school's packs only.
    [line] = evidence_navigation.home_tasks(world.other_senco, [world.other], TODAY)
    assert line.count == 0 and line.status == "done"
    listed = page(client, world.other_senco, "/evidence/packs/?status=draft").content.decode()
    assert 'data-pack="' not in listed and "Hubbard" not in listed
    assert page(client, world.other_senco, f"/evidence/packs/?school={world.school.pk}").status_code == 400
    assert page(client, world.exec, "/evidence/packs/").status_code == 404
    assert page(client, world.admin, "/evidence/packs/").status_code == 404


def test_the_pupil_page_lists_the_evidence_packs_with_what_is_missing(client, world):
    draft = world.pack
    claim = funding.claim_create(
        actor=world.senco,
        pupil=world.pupil,
        requested_band=_band(world.pupil.home_local_authority),
        evidence_summary="Bid",
        provision_to_fund="Support",
    )
    bid = evidence.pack_start(actor=world.senco, pupil=world.pupil, kind="top_up", claim=claim)
    missing_when_sent = len(evidence_selectors.assemble_pack(bid).missing)
    evidence.pack_send(actor=world.senco, pack=bid, sent_on=TODAY)
    missing_now = len(evidence_selectors.assemble_pack(draft).missing)
    assert missing_now > 1 and missing_when_sent > 1
    la = world.pupil.home_local_authority.name
    section = _section(page(client, world.senco, f"/pupils/{world.pupil.pk}/").content.decode(), "evidence")
    assert section.index(f'href="/evidence/packs/{bid.pk}/"') < section.index(
        f'href="/evidence/packs/{draft.pk}/"'
    )  # newest first
    assert f"EHC needs assessment request to {la}" in section and f"Top-up funding bid to {la}" in section
    assert ">Being prepared</strong>" in section and ">Sent</strong>" in section
    assert f"Started {_long(TODAY)}. {missing_now} things the LA asks for are missing." in section
    sent = f"Sent {_long(TODAY)}. {missing_when_sent} things the LA asks for were missing when it was sent."
    assert sent in section
    assert f'href="/evidence/pupils/{world.pupil.pk}/"' in section


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
        "Evidence packs being prepared, not yet sent",
    }
    assert any(label.startswith("Next school census: ") for label in tasks)
    expect = {  # label: (count shown, what marks a row of the list it links to)
        "Annual reviews and EHC plan deadlines": (1, 'data-plan="'),
        "E pupils whose EHC plan record needs completing": (1, 'data-plan="'),
        "Cases with a next action due": (1, 'data-ref="Case '),
        "EHC needs assessment deadlines": (1, 'data-ref="Request '),
        "Top-up claims awaiting the LA's decision": (1, 'data-claim="'),
        "Evidence packs being prepared, not yet sent": (1, 'data-pack="'),
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
        more = PupilFactory(
            school=world.school,
            provision="E",
            primary_need="ASD",
            home_local_authority=world.pupil.home_local_authority,
        )
        evidence.pack_start(actor=world.senco, pupil=more, kind="ehc_request")
    casework.ehc_plans_follow_register(actor=None, school_ids=[world.school.pk])
    with CaptureQueriesContext(connection) as many:
        body = client.get("/").content.decode()
    assert _tasks(body)["E pupils whose EHC plan record needs completing"][1] == "4 to do"
    assert _tasks(body)["Evidence packs being prepared, not yet sent"][1] == "4 to do"
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
