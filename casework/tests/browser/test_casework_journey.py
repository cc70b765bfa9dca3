"""A SENCO logs a tribunal appeal with a note; the Head of SEND sees it at the top of the due
list (headless Chromium against the live server)."""

import datetime as dt

import pytest
from django.conf import settings

from casework import services
from conftest import browser_login, fill_date
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    SchoolFactory,
    TrustFactory,
    head_of_send,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_a_senco_logs_a_tribunal_appeal_and_the_head_of_send_sees_it_first(page):
    trust_a, trust_b = TrustFactory(name="Assisi Test Trust"), TrustFactory(name="Christus T")
    school = SchoolFactory(trust=trust_a, name="Holy Cross Test Primary")
    other = SchoolFactory(trust=trust_b, name="St Mary's Test Primary")
    sam = senco(school)
    sam.full_name = "Sam Senco"
    sam.save()
    hos = head_of_send(trust_a, trust_b)
    today = dt.date.today()
    # Other open cases, due later than the appeal will be.
    services.case_open(
        actor=hos,
        school=other,
        kind="complaint",
        title="Later complaint",
        owner=hos,
        opened_on=today,
        next_action_due=today + dt.timedelta(days=40),
    )
    services.case_open(actor=hos, school=school, kind="other", title="Undated", owner=hos, opened_on=today)
    letter = today - dt.timedelta(days=50)

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/casework/schools/{school.laestab}/cases/new/")
    page.get_by_label("Tribunal appeal").check()
    page.screenshot(path=str(SHOTS / "casework-case-kind.png"), full_page=True)
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_label("School days of suspension").count() == 0  # a suspension's only
    page.get_by_label("Title").fill("Appeal against section F")
    fill_date(page, "Date of the LA's decision letter", letter)
    page.screenshot(path=str(SHOTS / "casework-case-open-appeal.png"), full_page=True)
    page.get_by_label("First note").fill("Parents will appeal; mediation declined.")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_url("**/casework/cases/*/")
    assert "Parents will appeal; mediation declined." in page.locator("#timeline").inner_text()
    page.get_by_label("Add a note").fill("Evidence pack requested from the class teacher.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#timeline").inner_text()
    assert "Evidence pack requested" in timeline
    case_url = page.url
    page.screenshot(path=str(SHOTS / "casework-case-detail.png"), full_page=True)
    page.context.clear_cookies()

    browser_login(page, hos.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.get_by_role("link", name="Due list").first.click()
    page.wait_for_url("**/casework/due/")
    first_row = page.locator("#due-table tbody tr").first
    text = first_row.inner_text()
    assert "Tribunal appeal" in text and "Appeal deadline" in text
    assert "Holy Cross Test Primary" in text and "Sam Senco" in text
    assert page.locator("#due-table tbody tr").count() == 3
    page.screenshot(path=str(SHOTS / "casework-due-list.png"), full_page=True)
    first_row.get_by_role("link").click()
    assert page.url == case_url
