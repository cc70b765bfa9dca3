"""An LA consults a school on naming it in a child's EHC plan: the SENCO logs it after checking
the answers, drafts the response (a mistake first, then the ground and why), the headteacher
signs it off, the SENCO records the LA's decision; and an annual review's steps under the LA's
rules show on the plan's page and on the SENCO's due list (headless Chromium against the live
server)."""

import datetime as dt

import pytest
from django.conf import settings

from casework import deadlines as dl
from casework import services
from casework.models import LAReviewRules, NamingConsultation
from conftest import browser_login, fill_date
from pupils.tests.factories import PupilFactory
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


def test_a_consultation_is_logged_answered_signed_off_and_decided(page, browser):
    school = SchoolFactory(trust=TrustFactory(), name="Holy Cross Test Primary")
    sam, head = senco(school), headteacher(school)
    PupilFactory(school=school)
    la = school.local_authority
    received = dt.date.today() - dt.timedelta(days=4)

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/casework/schools/{school.laestab}/consultations/")
    page.get_by_text("Log a consultation").click()
    page.get_by_label("Which LA is consulting the school?").select_option(str(la.pk))
    fill_date(page, "Date the consultation was received", received)
    page.get_by_label("Prospective pupil's first name").fill("Ada")
    page.get_by_label("Prospective pupil's surname").fill("Lovelace")
    fill_date(page, "Prospective pupil's date of birth", dt.date(2016, 4, 5))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/consultations/new/check/")
    answers = page.locator("#check-answers").inner_text()
    assert "Ada" in answers and "Lovelace" in answers and la.name in answers
    page.screenshot(path=str(SHOTS / "consultation-check-answers.png"), full_page=True)
    page.get_by_role("button", name="Log the consultation").click()
    page.wait_for_url("**/casework/consultations/*/")
    c = NamingConsultation.objects.get()
    due = dl.naming_response_due(received)
    assert f"{due.day} {due:%B %Y}" in page.locator("#response-due").inner_text()

    page.get_by_role("link", name="Draft the response").click()
    page.get_by_label("No").check()
    page.get_by_role("button", name="Continue").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Choose the ground" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Attending would be incompatible").check()
    page.get_by_label("Why: the evidence for the LA").fill("Every year 4 class is at 30.")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/response/check/")
    page.screenshot(path=str(SHOTS / "consultation-response-check.png"), full_page=True)
    page.get_by_role("button", name="Save for sign-off").click()
    page.wait_for_url(f"**/casework/consultations/{c.pk}/")
    assert "awaiting the headteacher" in page.locator("#stage").inner_text()

    head_page = browser.new_context(
        base_url=page.url.split("/casework")[0], viewport={"width": 1280, "height": 900}
    ).new_page()
    browser_login(head_page, head.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    head_page.goto(f"/casework/consultations/{c.pk}/")
    head_page.get_by_role("link", name="Sign off the response").click()
    assert "Every year 4 class is at 30." in head_page.locator("#response").inner_text()
    head_page.get_by_label("I have read the response").check()
    head_page.screenshot(path=str(SHOTS / "consultation-sign-off.png"), full_page=True)
    head_page.get_by_role("button", name="Sign off and record as sent").click()
    head_page.wait_for_url(f"**/casework/consultations/{c.pk}/")
    assert "Signed off by" in head_page.locator("#sign-off").inner_text()
    head_page.context.close()

    page.goto(f"/casework/consultations/{c.pk}/")
    page.get_by_label("The school was not named").check()
    fill_date(page, "Date of the LA's decision or withdrawal", dt.date.today())
    page.get_by_role("button", name="Record the outcome").click()
    page.locator("#outcome").wait_for()
    assert "not named" in page.locator("#outcome").inner_text()
    page.screenshot(path=str(SHOTS / "consultation-decided.png"), full_page=True)
    c.refresh_from_db()
    assert (c.signed_off_by, c.outcome) == (head, "not_named")

    page.goto("/casework/consultations/")
    row = page.locator("#by-la tbody tr").first.inner_text()
    assert la.name in row
    page.screenshot(path=str(SHOTS / "consultation-figures.png"), full_page=True)


def test_an_annual_review_s_steps_show_on_the_plan_and_the_due_list(page):
    school = SchoolFactory(trust=TrustFactory(), name="Holy Cross Test Primary")
    sam = senco(school)
    pupil = PupilFactory(school=school, forename="Ada", surname="Hubbard")
    plan = services.ehc_plan_create(
        actor=sam, pupil=pupil, issue_date=dt.date.today() - dt.timedelta(days=300)
    )
    services.la_review_rules_save(
        actor=None,
        rules=LAReviewRules(
            local_authority=plan.local_authority,
            request_reports_weeks=8,
            circulate_weeks=3,
            report_days=10,
            forms="Annual review forms AR1-AR3",
        ),
    )
    meeting = dl.annual_review_due(plan.issue_date)

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/casework/plans/{plan.pk}/")
    steps = page.locator("#review-step-table").inner_text()
    request_by = meeting - dt.timedelta(weeks=8)
    assert "Request reports for the annual review" in steps
    assert f"{request_by.day} {request_by:%b %Y}" in steps
    assert "Annual review forms AR1-AR3" in page.content()
    page.screenshot(path=str(SHOTS / "review-steps-plan.png"), full_page=True)

    fill_date(page, "Date the reports were requested", dt.date.today())
    page.get_by_role("button", name="Save the review's steps").click()
    page.wait_for_url("**#review-steps")
    assert "Met" in page.locator("#review-step-table").inner_text()

    page.goto("/casework/due/?kind=annual_review")
    table = page.locator("table").first.inner_text()
    assert "Circulate reports for the annual review" in table
    assert "Request reports for the annual review" not in table  # done
    assert sam.full_name in table or sam.email in table
    page.screenshot(path=str(SHOTS / "review-steps-due-list.png"), full_page=True)
    page.goto("/")
    assert "Annual reviews and EHC plan deadlines" in page.content()
