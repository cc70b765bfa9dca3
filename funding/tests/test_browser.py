"""The claim journey in a real browser: a SENCO drafts a claim, the Head of SEND submits it and
records the LA's award, and the trust funding page shows the new expected income."""

import pytest

from conftest import browser_login, fill_date
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, head_of_send, senco

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_claim_from_draft_to_award_shows_on_the_trust_page(page, las, thurrock_school):
    pupil = PupilFactory(school=thurrock_school, provision="E", forename="Ruby", surname="Fielding")
    sam = senco(thurrock_school)
    hos = head_of_send(thurrock_school.trust)

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/funding/schools/{thurrock_school.laestab}/?year=2025")
    page.get_by_role("link", name="Draft a claim").first.click()
    page.get_by_label("Pupil").select_option(label="Ruby Fielding – EHC plan – lives in Thurrock")
    page.get_by_label("Band requested").select_option(label="10 hours – £4,120.00 a year")
    page.get_by_label("Evidence summary").fill("EHC plan section F: 10 hours of adult support.")
    page.get_by_label("Provision to be funded").fill("10 hours a week of teaching assistant support")
    page.screenshot(path="media-test/funding-claim-form.png", full_page=True)
    page.get_by_role("button", name="Save draft claim").click()
    page.wait_for_url("**/funding/claims/*/")
    assert page.locator("[data-status]").inner_text() == "Draft"
    assert page.get_by_role("button", name="Submit to the LA").count() == 0  # a SENCO cannot submit
    claim_url = page.url
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, hos.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/funding/trusts/{thurrock_school.trust.slug}/?year=2025")
    assert page.locator("[data-figure=expected]").inner_text() == "£0.00"
    page.goto(claim_url)
    fill_date(page, "Date submitted to the LA", ("1", "3", "2025"))
    page.get_by_role("button", name="Submit to the LA").click()
    assert page.locator("[data-status]").inner_text() == "Submitted"
    page.get_by_label("Band awarded").select_option(label="10 hours – £4,120.00 a year")
    fill_date(page, "Award start date", ("1", "1", "2026"))
    fill_date(page, "Award end date", ("31", "3", "2026"))
    page.get_by_role("button", name="Record the LA's award").click()
    assert page.locator("[data-status]").inner_text() == "Awarded"
    page.screenshot(path="media-test/funding-claim.png", full_page=True)

    page.goto(f"/funding/trusts/{thurrock_school.trust.slug}/?year=2025")
    # 4,120 x 90 days (1 Jan - 31 Mar) / 365 = 1,015.89
    assert page.locator("[data-figure=expected]").inner_text() == "£1,015.89"
    assert "Fielding" not in page.content()
    page.screenshot(path="media-test/funding-trust.png", full_page=True)
    page.goto(f"/funding/schools/{thurrock_school.laestab}/?year=2025")
    assert page.get_by_text("Ruby Fielding").count() == 1
    page.screenshot(path="media-test/funding-school.png", full_page=True)
    del pupil
