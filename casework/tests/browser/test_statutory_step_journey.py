"""A SENCO records the LA's decision whether to assess: a mistake, the error summary focused
at the top of the page, the answers checked, one changed, then recorded (headless Chromium
against the live server)."""

import datetime as dt

import pytest
from django.conf import settings

from casework import services
from casework.models import EHCRequest
from conftest import browser_login, fill_date
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    SchoolFactory,
    TrustFactory,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_a_senco_records_the_las_decision_after_checking_the_answers(page):
    school = SchoolFactory(trust=TrustFactory(), name="Holy Cross Test Primary")
    sam = senco(school)
    pupil = PupilFactory(school=school, forename="Ada", surname="Hubbard")
    requested = dt.date.today() - dt.timedelta(days=30)
    req = services.ehc_request_create(actor=sam, pupil=pupil, requested_by="school", request_date=requested)
    decided = requested + dt.timedelta(days=20)

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/casework/ehc-requests/{req.pk}/")
    page.get_by_label("The LA's decision whether to assess").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/ehc-requests/{req.pk}/steps/decision/")
    # Only this step's questions: its date and the decision, not the final outcome.
    assert page.get_by_label("Final plan issued").count() == 0
    assert page.locator('input[type="date"]').count() == 0

    fill_date(page, "Date of the LA's decision", (str(decided.day), "", str(decided.year)))
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error: Record the LA")
    # GOV.UK Frontend, started by the app's own script, moves the focus to the summary.
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('govuk-error-summary')"
    )
    items = summary.locator("li").all_inner_texts()
    assert items == ["Date of the LA's decision must include a month", "Select the LA's decision"]
    inline = [t.replace("Error:", "").strip() for t in page.locator(".govuk-error-message").all_inner_texts()]
    assert inline == items
    page.screenshot(path=str(SHOTS / "forms-step-error-summary.png"), full_page=True)
    summary.get_by_role("link", name="Select the LA's decision").click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_result_0'")

    page.get_by_role("group", name="Date of the LA's decision").get_by_label("Month").fill(str(decided.month))
    page.get_by_label("Agreed to assess").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/steps/decision/check/")
    answers = page.locator("#check-answers").inner_text()
    assert f"{decided.day} {decided:%B %Y}" in answers and "Agreed to assess" in answers
    page.screenshot(path=str(SHOTS / "forms-step-check-answers.png"), full_page=True)

    page.get_by_role("link", name="Change the LA's decision").click()
    page.wait_for_url("**/steps/decision/#id_result_0")
    assert page.get_by_label("Agreed to assess").is_checked()
    page.get_by_label("Refused to assess").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/steps/decision/check/" in url)
    assert "Refused to assess" in page.locator("#check-answers").inner_text()
    assert EHCRequest.objects.get(pk=req.pk).decision == ""

    page.get_by_role("button", name="Record the step").click()
    page.wait_for_url(lambda url: url.split("#")[0].endswith(f"/ehc-requests/{req.pk}/"))
    assert "Step recorded." in page.locator(".govuk-notification-banner").inner_text()
    req.refresh_from_db()
    assert (req.decision, req.decision_date) == ("refuse", decided)
    page.screenshot(path=str(SHOTS / "forms-step-recorded.png"), full_page=True)
