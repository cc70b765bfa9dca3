"""The pages: who may open each (anything else is 404), what they write, the public page that
needs no sign-in and shows only an approved report with suppressed counts and no pupil, and
lists that take the same number of queries for 2 rows as for many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from inforeports.models import InfoReport
from inforeports.schedule import KEYS
from pupils.models import Provision
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.tests.factories import SchoolFactory

from .factories import approved_report, draft_report, template

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
THIS_YEAR = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
HOSTILE = '<script>alert("x")</script>'


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _report(world, **kw):
    with scopes_disabled():
        return InfoReport.objects.get(**kw)


# --- access ------------------------------------------------------------------------------------


def test_the_template_is_the_head_of_sends_alone(client, world):
    template(world.trust)
    url = reverse("inforeports:template_edit", args=[world.trust.slug])
    assert _get(client, world.hos, url).status_code == 200
    for user in (world.senco, world.head, world.executive, world.other_hos):
        assert _get(client, user, url).status_code == 404


def test_a_schools_reports_are_read_by_its_staff_and_trust_only(client, world):
    template(world.trust)
    report = draft_report(world.school, academic_year=THIS_YEAR)
    for name in ("inforeports:report_detail", "inforeports:report_changes", "inforeports:report_pdf"):
        url = reverse(name, args=[report.pk])
        for user in (world.senco, world.head, world.hos, world.executive):
            assert _get(client, user, url).status_code == 200, (name, user)
        for user in (world.other_senco, world.other_hos):
            assert _get(client, user, url).status_code == 404, (name, user)
    url = reverse("inforeports:school_reports", args=[world.school.laestab])
    assert _get(client, world.senco, url).status_code == 200
    assert _get(client, world.other_senco, url).status_code == 404


def test_sections_are_edited_by_the_senco_and_the_head_of_send_only(client, world):
    template(world.trust)
    report = draft_report(world.school, academic_year=THIS_YEAR)
    url = reverse("inforeports:section_edit", args=[report.pk, "senco"])
    for user in (world.senco, world.hos):
        assert _get(client, user, url).status_code == 200
    for user in (world.head, world.executive, world.other_senco, world.other_hos):
        assert _get(client, user, url).status_code == 404
        client.force_login(user)
        assert client.post(url, {"text": "Taken over"}).status_code == 404
    assert _report(world, pk=report.pk).school_text("senco") == "At our school, senco."
    assert (
        _get(client, world.senco, reverse("inforeports:section_edit", args=[report.pk, "nope"])).status_code
        == 404
    )


def test_only_the_headteacher_may_open_the_approval(client, world):
    template(world.trust)
    report = draft_report(world.school, academic_year=THIS_YEAR)
    url = reverse("inforeports:report_approve", args=[report.pk])
    assert _get(client, world.head, url).status_code == 200
    for user in (world.senco, world.hos, world.executive, world.other_hos):
        assert _get(client, user, url).status_code == 404
        client.force_login(user)
        assert client.post(url, {"confirm": "on"}).status_code == 404
    assert _report(world, pk=report.pk).is_draft


def test_starting_a_draft_is_for_the_schools_writers(client, world):
    template(world.trust)
    url = reverse("inforeports:report_new", args=[world.school.laestab])
    for user in (world.head, world.executive, world.other_senco, world.other_hos):
        client.force_login(user)
        assert client.post(url, {"academic_year": THIS_YEAR}).status_code == 404
    client.force_login(world.senco)
    response = client.post(url, {"academic_year": THIS_YEAR})
    report = _report(world, school=world.school)
    assert response.status_code == 302 and response["Location"] == reverse(
        "inforeports:report_detail", args=[report.pk]
    )
    # Twice: refused with a message, nothing written.
    response = client.post(url, {"academic_year": THIS_YEAR}, follow=True)
    assert "There is already a draft" in response.content.decode()
    with scopes_disabled():
        assert InfoReport.objects.count() == 1
    for bad in ("not a year", "", "20 26", "9" * 100_000):
        response = client.post(url, {"academic_year": bad}, follow=True)
        assert "Choose the school year to start a draft for." in response.content.decode()
    with scopes_disabled():
        assert InfoReport.objects.count() == 1


# --- writing -----------------------------------------------------------------------------------


def test_after_approval_the_school_is_offered_a_new_version_of_the_year(client, world):
    template(world.trust)
    approved_report(world.school, academic_year=THIS_YEAR)
    body = _get(
        client, world.senco, reverse("inforeports:school_reports", args=[world.school.laestab])
    ).content.decode()
    label = f"{THIS_YEAR} to {THIS_YEAR + 1}"
    assert f"Start a new version for {label}" in body
    assert f"Start the draft for {THIS_YEAR + 1} to {THIS_YEAR + 2}" in body
    client.post(reverse("inforeports:report_new", args=[world.school.laestab]), {"academic_year": THIS_YEAR})
    assert _report(world, school=world.school, status="draft").version == 2
    body = client.get(reverse("inforeports:school_reports", args=[world.school.laestab])).content.decode()
    assert f"Start a new version for {label}" not in body


def test_the_head_of_send_saves_the_template_and_drafts_show_it(client, world):
    template(world.trust)
    report = draft_report(world.school, academic_year=THIS_YEAR)
    client.force_login(world.hos)
    data = {key: "" for key in KEYS} | {"kinds": "All four broad areas of need."}
    response = client.post(reverse("inforeports:template_edit", args=[world.trust.slug]), data)
    assert response.status_code == 302
    body = _get(client, world.senco, reverse("inforeports:report_detail", args=[report.pk])).content.decode()
    assert "All four broad areas of need." in body
    client.force_login(world.hos)
    response = client.post(
        reverse("inforeports:template_edit", args=[world.trust.slug]), data | {"kinds": "x" * 6001}
    )
    assert "must be 6000 characters or fewer" in response.content.decode().replace(",", "")


def test_the_senco_edits_a_section_and_markup_stays_text(client, world):
    template(world.trust)
    report = draft_report(world.school, academic_year=THIS_YEAR)
    client.force_login(world.senco)
    url = reverse("inforeports:section_edit", args=[report.pk, "senco"])
    response = client.post(url, {"text": f"Ms Cole, 01234 567890 {HOSTILE}"})
    assert response.status_code == 302 and response["Location"].endswith("#section-senco")
    body = client.get(reverse("inforeports:report_detail", args=[report.pk])).content.decode()
    assert "Ms Cole, 01234 567890" in body and HOSTILE not in body
    assert "&lt;script&gt;" in body


def test_the_headteacher_approves_and_the_report_is_frozen(client, world):
    template(world.trust)
    CensusSnapshotFactory(school=world.school, census_date=TODAY - dt.timedelta(days=10))
    report = draft_report(world.school, academic_year=THIS_YEAR)
    client.force_login(world.head)
    url = reverse("inforeports:report_approve", args=[report.pk])
    response = client.post(url, {})
    assert "Confirm that you have read the report and approve it" in response.content.decode()
    assert _report(world, pk=report.pk).is_draft
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    report = _report(world, pk=report.pk)
    assert not report.is_draft and report.approved_on == TODAY
    # Frozen: the edit and the approval send back to the report with the reason.
    client.force_login(world.senco)
    response = client.get(reverse("inforeports:section_edit", args=[report.pk, "kinds"]), follow=True)
    assert "kept as it was: start a new version" in response.content.decode()


def test_approval_refused_shows_why_and_changes_nothing(client, world):
    template(world.trust)
    report = draft_report(world.school, academic_year=THIS_YEAR)  # no census yet
    client.force_login(world.head)
    response = client.post(reverse("inforeports:report_approve", args=[report.pk]), {"confirm": "on"})
    assert response.status_code == 200
    assert "import a census before approving" in response.content.decode()
    assert _report(world, pk=report.pk).is_draft


def test_changes_since_last_year_show_words_and_figures(client, world):
    template(world.trust)
    approved_report(world.school, academic_year=THIS_YEAR - 1, parents="We meet each term.")
    CensusSnapshotFactory(
        school=world.school,
        census_date=TODAY - dt.timedelta(days=5),
        number_on_roll=220,
        ehcp=3,
        sen_support=33,
        by_need={"SLCN": {"E": 3, "K": 33}},
    )
    report = draft_report(world.school, academic_year=THIS_YEAR, parents="We meet every half term.")
    body = _get(client, world.senco, reverse("inforeports:report_changes", args=[report.pk])).content.decode()
    assert "[removed: </span>each" in body and "[added: </span>every half" in body
    assert "1 of 17 sections changed" in body
    # 6 EHC plans last year, fewer than 5 now: no change is worked out from it.
    assert "not shown (small numbers)" in body and "+3" in body
    assert "fewer than 5" in body


# --- the public page ---------------------------------------------------------------------------


def test_the_public_page_needs_no_sign_in_and_shows_the_latest_approved_version(client, world):
    draft_report(world.school, academic_year=THIS_YEAR, senco="Draft words")
    url = reverse("inforeports_public:report", args=[world.school.laestab])
    assert client.get(url).status_code == 404  # a draft is never public
    approved_report(world.school, academic_year=THIS_YEAR - 1, senco="Old words")
    approved_report(
        world.school,
        academic_year=THIS_YEAR - 1,
        version=2,
        senco="Newer words",
        approved_on=dt.date(THIS_YEAR, 3, 2),
    )
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Newer words" in body and "Old words" not in body and "Draft words" not in body
    assert f"2 March {THIS_YEAR}" in body and "Hannah Head" in body
    assert "Cache-Control" in response and "public" in response["Cache-Control"]
    assert client.get(reverse("inforeports_public:report", args=["9999999"])).status_code == 404
    assert (
        client.get(reverse("inforeports_public:report", args=[world.other_school.laestab])).status_code == 404
    )


def test_the_public_page_names_no_pupil_and_shows_only_suppressed_counts(client, world, settings):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 5
    pupil = PupilFactory(
        school=world.school, forename="Zebedee", surname="Quill", provision=Provision.EHC_PLAN
    )
    approved_report(
        world.school,
        figures={
            "number_on_roll": 95,
            "ehcp": 2,
            "sen_support": 12,
            "by_need": {"SLCN": {"E": 2, "K": 7}, "HI": {"E": 0, "K": 5}},
        },
    )
    body = client.get(reverse("inforeports_public:report", args=[world.school.laestab])).content.decode()
    assert pupil.forename not in body and pupil.surname not in body and pupil.upn not in body
    assert body.count("fewer than 5") >= 2 and "withheld" in body
    assert ">12<" in body and ">5<" in body
    assert ">2<" not in body  # the two EHC plans are never printed


def test_a_signed_in_visitor_of_another_trust_reads_the_public_page_too(client, world):
    approved_report(world.school)
    assert (
        _get(
            client, world.other_hos, reverse("inforeports_public:report", args=[world.school.laestab])
        ).status_code
        == 200
    )


def test_the_public_pdf_is_the_approved_report(client, world):
    approved_report(world.school)
    response = client.get(reverse("inforeports_public:report_pdf", args=[world.school.laestab]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    draft_only = SchoolFactory(trust=world.trust)
    draft_report(draft_only)
    assert client.get(reverse("inforeports_public:report_pdf", args=[draft_only.laestab])).status_code == 404


def test_the_public_pdf_is_drawn_once_for_many_visitors_and_again_for_a_new_version(
    client, world, monkeypatch
):
    from inforeports import pdf

    drawn = []
    real = pdf.report_pdf
    monkeypatch.setattr(pdf, "report_pdf", lambda view: drawn.append(view) or real(view))
    approved_report(world.school)
    url = reverse("inforeports_public:report_pdf", args=[world.school.laestab])
    first, second = client.get(url), client.get(url)
    assert len(drawn) == 1 and first.content == second.content
    approved_report(world.school, academic_year=2025)
    assert client.get(url).status_code == 200
    assert len(drawn) == 2 and drawn[-1].report.academic_year == 2025


# --- queries -------------------------------------------------------------------------------------


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_schools_list_takes_the_same_queries_for_2_schools_and_many(client, world):
    template(world.trust)
    approved_report(world.school)
    draft_report(world.other_school)
    client.force_login(world.hos)
    url = reverse("inforeports:index")
    few = _count(client, url)
    for _ in range(8):
        school = SchoolFactory(trust=world.trust)
        approved_report(school)
        draft_report(school)
    assert _count(client, url) == few


def test_a_schools_versions_take_the_same_queries_for_2_and_many(client, world):
    template(world.trust)
    approved_report(world.school, academic_year=2020)
    draft_report(world.school, academic_year=2021)
    client.force_login(world.senco)
    url = reverse("inforeports:school_reports", args=[world.school.laestab])
    few = _count(client, url)
    for year in range(2021, 2026):
        approved_report(world.school, academic_year=year, version=2)
    assert _count(client, url) == few


def test_the_public_page_takes_the_same_queries_whatever_the_schools_history(client, world):
    approved_report(world.school, academic_year=2020)
    url = reverse("inforeports_public:report", args=[world.school.laestab])
    few = _count(client, url)
    for year in range(2021, 2026):
        approved_report(world.school, academic_year=year)
        draft_report(world.school, academic_year=year, version=2)
    assert _count(client, url) == few <= 3
