"""A SENCO's week (headless Chromium against the live server): the home page says what needs
doing, a line opens its filtered list, the list opens the record, the record opens the pupil,
and the pupil page links to the case, the claim and the EHC plan, whose issue date the SENCO
then enters."""

import datetime as dt

import pytest
from django.conf import settings

from casework import services as casework
from conftest import browser_login, fill_date
from funding import services as funding
from funding.models import Band, BandingScheme
from pupils import services as pupils_services
from pupils.tests.factories import CensusSnapshotFactory, PupilFactory
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    SchoolFactory,
    TrustFactory,
    headteacher,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def _week():
    today = dt.date.today()
    school = SchoolFactory(
        trust=TrustFactory(name="Christus Browser Trust"), name="Holy Cross Browser Primary"
    )
    sam = senco(school)
    sam.full_name = "Sam Senco"
    sam.save()
    head = headteacher(school)
    CensusSnapshotFactory(school=school, census_date=dt.date(2025, 10, 2))
    pupil = PupilFactory(school=school, forename="Ada", surname="Hubbard", year_group="5")
    pupils_services.pupil_change_register(actor=sam, pupil=pupil, provision="E", primary_need="ASD")
    casework.case_open(
        actor=sam,
        school=school,
        kind="complaint",
        title="Concern about lunchtimes",
        owner=sam,
        pupil=pupil,
        opened_on=today - dt.timedelta(days=10),
        next_action_due=today + dt.timedelta(days=3),
    )
    scheme = BandingScheme.objects.create(local_authority=pupil.home_local_authority, financial_year=2025)
    band = Band.objects.create(scheme=scheme, label="3", annual_value="4800.00", order=3)
    claim = funding.claim_create(
        actor=sam,
        pupil=pupil,
        requested_band=band,
        evidence_summary="Plan section F",
        provision_to_fund="Support",
    )
    funding.claim_submit(actor=head, claim=claim, submitted_on=today - dt.timedelta(days=5))
    return sam, pupil


def test_a_senco_follows_the_weeks_work_to_the_pupil_and_completes_the_plan_record(page):
    SHOTS.mkdir(exist_ok=True)
    sam, pupil = _week()
    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    assert page.get_by_role("heading", level=1).inner_text() == "Your work this week"
    tasks = page.locator("#home-tasks")
    cases_line = tasks.locator("li", has_text="Cases with a next action due")
    assert "1 to do" in cases_line.inner_text()
    plans_line = tasks.locator("li", has_text="E pupils whose EHC plan record needs completing")
    assert "1 to do" in plans_line.inner_text()
    assert "1 to do" in tasks.locator("li", has_text="awaiting the LA's decision").inner_text()
    assert "Next school census" in tasks.inner_text()
    assert "Nothing to do" in tasks.locator("li", has_text="Evidence packs being prepared").inner_text()
    page.screenshot(path=str(SHOTS / "hub-home-senco.png"), full_page=True)

    cases_line.get_by_role("link").click()
    page.wait_for_url("**/casework/cases/?view=open&due=soon")
    rows = page.locator("#due-table tbody tr")
    assert rows.count() == 1
    assert "Ada Hubbard" in rows.first.inner_text() and "Complaint opened" in rows.first.inner_text()
    page.screenshot(path=str(SHOTS / "hub-cases-due.png"), full_page=True)

    rows.first.get_by_role("link", name="Ada Hubbard").click()
    page.wait_for_url("**/casework/cases/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Concern about lunchtimes"
    page.locator(".govuk-summary-list").get_by_role("link", name="Ada Hubbard").click()
    page.wait_for_url(f"**/pupils/{pupil.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ada Hubbard"
    assert "Year 5" in page.locator("#pupil-summary").inner_text()
    consultations = page.locator("#section-naming_consultations")
    assert consultations.get_by_role("heading", level=2).inner_text() == "Consultations on naming a school"
    assert "No LA consultation on naming a school recorded." in consultations.inner_text()
    assert "No evidence pack yet." in page.locator("#section-evidence").inner_text()
    page.screenshot(path=str(SHOTS / "hub-pupil-page.png"), full_page=True)
    pupil_url = page.url

    page.locator("#pupil-funding_claims").get_by_role("link").first.click()
    page.wait_for_url("**/funding/claims/*/")
    assert "Top-up claim to" in page.get_by_role("heading", level=1).inner_text()
    page.goto(pupil_url)
    page.locator("#pupil-cases").get_by_role("link", name="Complaint: Concern about lunchtimes").click()
    page.wait_for_url("**/casework/cases/*/")
    page.goto(pupil_url)
    page.locator("#pupil-ehc_plan").get_by_role("link").first.click()
    page.wait_for_url("**/casework/plans/*/")
    assert "Details to complete" in page.locator("#details-to-complete").inner_text()
    page.screenshot(path=str(SHOTS / "hub-plan-to-complete.png"), full_page=True)

    fill_date(page, "Issue date", ("3", "", "2025"))
    page.get_by_role("button", name="Save the issue date").click()
    assert "Issue date must include a month" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_role("group", name="Issue date").get_by_label("Month").fill("2")
    page.get_by_role("button", name="Save the issue date").click()
    page.wait_for_url("**/casework/plans/*/")
    assert "3 February 2026" in page.locator("#next-review").inner_text()
    assert page.locator("#details-to-complete").count() == 0
    page.screenshot(path=str(SHOTS / "hub-plan-completed.png"), full_page=True)

    page.goto("/")
    line = page.locator("#home-tasks li", has_text="E pupils whose EHC plan record needs completing")
    assert "Nothing to do" in line.inner_text()
