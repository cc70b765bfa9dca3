"""A SENCO writes a pupil's one-page profile, starts a SEN support plan, writes the assessment,
adds an outcome linked to the pupil's provision, starts the plan, records the review through
check your answers, and downloads the plan for parents (headless Chromium, live server)."""

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import browser_login
from provision.tests.factories import DeliveryFactory, EnrolmentFactory, InterventionFactory
from pupils.models import Provision
from pupils.tests.factories import PupilFactory
from support.models import OnePageProfile, SupportPlan
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, SchoolFactory, senco

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("SUPPORT_SCREENSHOTS", "/tmp/support-shots"))


def fill_date(page, field: str, day: dt.date) -> None:
    page.locator(f"#id_{field}_0").fill(str(day.day))
    page.locator(f"#id_{field}_1").fill(str(day.month))
    page.locator(f"#id_{field}_2").fill(str(day.year))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_senco_writes_a_profile_and_takes_a_plan_through_its_cycle(page, tmp_path):
    school = SchoolFactory(name="Holy Cross Test Primary")
    sam = senco(school)
    sam.full_name = "Sam Senco"
    sam.save()
    pupil = PupilFactory(
        school=school,
        forename="Amira",
        surname="Test-Pupil",
        provision=Provision.SEN_SUPPORT,
        primary_need="SPLD",
    )
    today = dt.date.today()
    start = today - dt.timedelta(days=41)
    intervention = InterventionFactory(
        school=school, name="Precision teaching", sessions_per_week=2, weeks=52
    )
    enrolment = EnrolmentFactory(intervention=intervention, pupil=pupil, start_date=start)
    for days_ago in (35, 28, 21, 14, 7):
        DeliveryFactory(
            intervention=intervention, date=today - dt.timedelta(days=days_ago), attended=[enrolment]
        )

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)

    # The one-page profile, in Amira's words.
    page.goto(f"/support/pupils/{pupil.pk}/profile/")
    page.get_by_role("link", name="Start a profile").click()
    page.get_by_role("button", name="Save the profile").click()  # nothing typed yet
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("What people like and admire about me").fill("I am kind and funny.")
    page.get_by_label("What is important to me").fill("My dog Biscuit and football.")
    page.get_by_label("How best to support me").fill("Show me one step at a time.")
    page.get_by_label("My needs, in my own words").fill("Reading is hard for me.")
    page.get_by_label("Who helped to write it").fill("Written with my mum")
    page.get_by_role("button", name="Save the profile").click()
    assert "Version 1 of the profile was saved." in page.locator(".govuk-notification-banner").inner_text()
    assert "Show me one step at a time." in page.locator("#profile").inner_text()
    shot(page, "support-profile")
    assert OnePageProfile.objects.filter(pupil=pupil, version=1).exists()

    # Start a plan from the list of pupils without one.
    page.get_by_role("link", name="Support plans").first.click()
    page.get_by_role("link", name="SEN Support without a current plan").click()
    page.get_by_role("link", name="Start a plan for Amira Test-Pupil").click()
    fill_date(page, "starts_on", start)
    fill_date(page, "review_due", start)  # not after the start
    page.get_by_role("button", name="Start the draft").click()
    assert "The review date must be after the start" in page.locator(".govuk-error-summary").inner_text()
    fill_date(page, "review_due", today)
    page.get_by_role("button", name="Start the draft").click()
    page.wait_for_url("**/support/plans/*/")
    plan = SupportPlan.objects.get(pupil=pupil)

    page.get_by_role("link", name="Change the assessment").click()
    page.get_by_label("Needs", exact=True).fill("Reads well below her year group.")
    page.get_by_label("Strengths").fill("Lovely ideas for stories.")
    page.get_by_label("The pupil's views").fill("I want to read chapter books.")
    page.get_by_role("button", name="Save the assessment").click()

    page.get_by_role("link", name="Add an outcome").click()
    page.get_by_label("Outcome", exact=True).fill("Read the next 50 common words")
    page.get_by_label("Success criteria").fill("Reads them aloud two days running")
    page.get_by_label("Support to be given").fill("Precision teaching twice a week")
    page.get_by_label("Precision teaching (Small group").check()
    page.get_by_role("button", name="Add the outcome").click()
    page.get_by_role("button", name="Start the plan").click()
    assert "This is now the pupil's current plan." in page.locator(".govuk-notification-banner").inner_text()
    delivery = page.locator("#delivery-table").inner_text()
    assert "Precision teaching" in delivery and "5 (" in delivery
    shot(page, "support-plan-current")

    # The review, checked before it is recorded.
    page.get_by_role("link", name="Record the review").click()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Choose whether the outcome was achieved." in summary
    page.get_by_label("Partly achieved").check()
    page.get_by_label("Outcome 1: evidence").fill("Reads 38 of the 50 words.")
    page.get_by_label("Next steps").fill("Keep going with the last 12 words.")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/review/check/")
    answers = page.locator("#check-answers").inner_text()
    assert "Partly achieved" in answers and "Reads 38 of the 50 words." in answers
    shot(page, "support-review-check")
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.CURRENT
    page.get_by_role("button", name="Record the review and close the cycle").click()
    assert "kept as it was" in page.locator("#plan-closed").inner_text()
    assert page.get_by_role("link", name="Add an outcome").count() == 0
    shot(page, "support-plan-closed")
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.CLOSED and plan.closed_on == today

    # The plan for parents.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the plan for parents (PDF)").click()
    path = tmp_path / "plan.pdf"
    download.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Read the next 50 common words" in text and "Partly achieved" in text
    assert "Keep going with the last 12 words." in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "support-plan.pdf").write_bytes(path.read_bytes())
