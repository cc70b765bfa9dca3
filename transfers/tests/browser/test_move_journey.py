"""A pupil moves from a primary to a secondary school of another trust: the primary's SENCO
releases them with a check of the answers, the secondary's SENCO receives them from their
home page, and both see the receipt."""

import datetime as dt

import pytest
from django.conf import settings
from playwright.sync_api import expect

from conftest import browser_login
from pupils.models import Provision, Pupil
from pupils.tests.factories import PupilFactory
from support.tests.factories import profile
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, SchoolFactory, TrustFactory, senco

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_release_check_then_receive_with_the_records(page, browser, live_server, school):
    secondary = SchoolFactory(
        laestab="8814002",
        name="St Thomas More High School",
        local_authority=school.local_authority,
        trust=TrustFactory(name="Christus Test Trust"),
    )
    sender, receiver = senco(school), senco(secondary)
    pupil = PupilFactory(
        school=school,
        provision=Provision.SEN_SUPPORT,
        surname="Okafor",
        forename="Amara",
        year_group="6",
        date_of_birth=dt.date(2015, 4, 2),
    )
    profile(pupil, sender)
    SHOTS.mkdir(exist_ok=True)

    browser_login(page, sender.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/pupils/{pupil.pk}/")
    page.get_by_role("link", name="Release to another school in the portal").click()
    page.get_by_label("Which school is the pupil moving to?").select_option(str(secondary.pk))
    page.screenshot(path=str(SHOTS / "move-release.png"), full_page=True)
    page.get_by_role("button", name="Continue").click()
    assert "St Thomas More High School" in page.locator("#check-answers").inner_text()
    page.screenshot(path=str(SHOTS / "move-release-check.png"), full_page=True)
    page.get_by_role("button", name="Release the pupil").click()
    assert page.locator("#move-heading").inner_text() == "Released, waiting to be received"

    other = browser.new_context(base_url=live_server.url).new_page()
    browser_login(other, receiver.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    other.goto("/")
    other.get_by_role("link", name="Pupils released to your school").first.click()
    row = other.locator("#moves-waiting tbody tr")
    assert "Amara Okafor" in row.inner_text() and pupil.upn in row.inner_text()
    other.screenshot(path=str(SHOTS / "move-released-list.png"), full_page=True)
    row.get_by_role("link", name="Receive").click()
    other.screenshot(path=str(SHOTS / "move-receive-check.png"), full_page=True)
    other.get_by_role("button", name="Receive the pupil").click()
    assert other.locator("#move-heading").inner_text() == "Pupil received"
    assert receiver.email in other.locator("#received").inner_text()
    other.screenshot(path=str(SHOTS / "move-received.png"), full_page=True)
    assert Pupil.objects.filter(school=secondary, upn=pupil.upn).exists()

    page.reload()
    assert receiver.email in page.locator("#received").inner_text()
    page.screenshot(path=str(SHOTS / "move-received-sender.png"), full_page=True)

    # The receiving school's record of the pupil shows where they came from and their plans.
    other.get_by_role("link", name="The pupil's record at St Thomas More High School").click()
    other.wait_for_url(f"**/pupils/{Pupil.objects.get(school=secondary).pk}/")
    expect(other.locator("main")).to_contain_text("Joined from Holy Family Catholic Primary")
    other.screenshot(path=str(SHOTS / "move-received-pupil.png"), full_page=True)
    page.goto(f"/pupils/{pupil.pk}/")
    expect(page.locator("main")).to_contain_text("Moved to St Thomas More High School")
    page.screenshot(path=str(SHOTS / "move-sender-pupil.png"), full_page=True)
