"""The provision map in a real browser: a SENCO adds an intervention, enrols a pupil, records a
session and the exit score, and sees what it costs and whether it worked; an executive sees the
cost and no name."""

import datetime

import pytest
from django.utils import timezone

from conftest import browser_login
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    SchoolFactory,
    executive,
    senco,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/provision-shots"


def fill_date(page, label_prefix: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=label_prefix)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_senco_costs_an_intervention_and_sees_whether_it_worked(page):
    school = SchoolFactory(name="Holy Cross Test")
    PupilFactory(school=school, forename="Ruby", surname="Fielding", year_group="4", primary_need="SPLD")
    sam = senco(school)
    today = timezone.localdate()

    browser_login(page, sam.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/schools/{school.laestab}/")
    page.get_by_role("link", name="Provision map").click()
    page.get_by_role("link", name="Add an intervention").click()
    page.get_by_label("Name").fill("Reading catch-up")
    page.get_by_label("Kind").select_option(label="Small group")
    page.get_by_label("Area of need").select_option(label="Specific learning difficulty (SPLD)")
    page.get_by_label("Delivered by").fill("Teaching assistant")
    page.get_by_label("Sessions a week").fill("3")
    page.get_by_label("Minutes a session").fill("30")
    page.get_by_label("Weeks a year").fill("38")
    page.get_by_label("Pupils in a group").fill("4")
    page.get_by_label("Hourly cost with on-costs (£)").fill("16")
    page.get_by_label("Entry and exit measure").fill("Reading age (months)")
    page.screenshot(path=f"{SHOTS}/1-intervention-form.png", full_page=True)
    page.get_by_role("button", name="Add the intervention").click()
    # 3 x 30 minutes x 38 weeks = 57 hours at £16 = £912, shared by 4.
    assert page.locator("[data-cost-per-pupil]").inner_text() == "£228.00"

    page.get_by_role("link", name="Enrol a pupil").click()
    page.get_by_label("Pupil").select_option(label="Fielding, Ruby (Year 4)")
    fill_date(page, "Start date", today - datetime.timedelta(days=14))
    page.get_by_label("Entry score").fill("84")
    page.screenshot(path=f"{SHOTS}/2-enrol.png", full_page=True)
    page.get_by_role("button", name="Enrol the pupil").click()
    assert "Ruby Fielding" in page.locator("main").inner_text()

    page.get_by_role("link", name="Record a session").click()
    fill_date(page, "Date of the session", today + datetime.timedelta(days=3))
    page.get_by_label("Ruby Fielding").check()
    page.get_by_role("button", name="Record the session").click()
    assert page.get_by_text("There is a problem").count() == 1  # a session still to come
    page.screenshot(path=f"{SHOTS}/3-session-error.png", full_page=True)
    fill_date(page, "Date of the session", today)
    page.get_by_label("Note").fill("Blending CVC words")
    page.get_by_role("button", name="Record the session").click()
    assert "1 of" in page.locator("main").inner_text()

    page.get_by_role("link", name="Scores for Ruby Fielding").click()
    page.get_by_label("Exit score").fill("93")
    page.get_by_role("button", name="Save the scores").click()
    effect = page.locator("[data-effectiveness]").inner_text()
    assert effect.startswith("100.0% of pupils improved (1 of 1")
    assert "average change +9.0 (Reading age (months))" in effect
    page.screenshot(path=f"{SHOTS}/4-intervention.png", full_page=True)

    page.get_by_role("link", name="Provision map").first.click()
    assert page.locator("[data-total-cost]").inner_text() == "£228.00"
    page.screenshot(path=f"{SHOTS}/5-map.png", full_page=True)
    page.get_by_role("link", name="By year group").click()
    page.screenshot(path=f"{SHOTS}/6-by-year.png", full_page=True)
    page.get_by_role("link", name="Pupils", exact=True).click()
    page.get_by_role("link", name="Ruby Fielding").click()
    assert page.locator("[data-pupil-cost]").inner_text() == "£228.00"
    page.screenshot(path=f"{SHOTS}/7-pupil.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()

    boss = executive(school.trust)
    browser_login(page, boss.email, TEST_PASSWORD)
    page.goto(f"/provision/schools/{school.laestab}/")
    assert page.locator("[data-total-cost]").inner_text() == "£228.00"
    assert "Fielding" not in page.content() and "Reading catch-up" not in page.content()
    page.screenshot(path=f"{SHOTS}/8-executive.png", full_page=True)
