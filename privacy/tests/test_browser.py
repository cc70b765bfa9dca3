"""The data protection lead's journey in a real browser: from the school's list to a pupil,
erasure with a typed confirmation behind re-authentication (of the same child's record at the
trust's other school too), then the subject-access export."""

import zipfile

import pytest

from conftest import browser_login
from pupils.models import Pupil
from pupils.tests.factories import PupilFactory
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, SchoolFactory, head_of_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_erases_a_pupil_after_reauthenticating_and_exports_the_record(page):
    school = SchoolFactory()
    pupil = PupilFactory(school=school, forename="Ottilie", surname="<b>Marchbanks</b>")
    hos = head_of_send(school.trust)
    # The same child's record at the school they moved to, in the same trust.
    moved_to = SchoolFactory(trust=school.trust, name="St Cuthbert's Catholic Academy")
    later = PupilFactory(school=moved_to, upn=pupil.upn, forename="Ottilie", surname="Marchbanks")

    browser_login(page, hos.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/privacy/schools/{school.laestab}/")
    assert "Ottilie <b>Marchbanks</b>" in page.locator("table").inner_text()  # escaped
    page.get_by_role("link", name=str(pupil.pk), exact=True).click()
    page.get_by_role("link", name="Erase personal data").click()
    page.get_by_label("Reason").select_option("subject_request")
    page.get_by_label("Type ERASE to confirm").fill("erase")
    page.get_by_role("button", name="Erase personal data").click()
    page.screenshot(path="media-test/privacy-reauthenticate.png", full_page=True)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    # The wrong confirmation word is refused after re-authentication; nothing changed.
    assert "Type ERASE in capital letters" in page.content()
    assert Pupil.objects.get(pk=pupil.pk).forename == "Ottilie"
    page.get_by_label("Reason").select_option("subject_request")
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    assert f"St Cuthbert's Catholic Academy: record {later.pk}" in page.locator("main").inner_text()
    page.screenshot(path="media-test/privacy-erase.png", full_page=True)
    page.get_by_role("button", name="Erase personal data").click()
    page.wait_for_url(f"**/privacy/pupils/{pupil.pk}/")
    assert "Personal data erased" in page.content()
    page.screenshot(path="media-test/privacy-pupil-erased.png", full_page=True)
    assert Pupil.objects.get(pk=pupil.pk).forename == "Erased"
    assert Pupil.objects.get(pk=later.pk).forename == "Erased"

    with page.expect_download() as download:
        page.get_by_role("button", name="Download subject-access export").click()
    archive = zipfile.ZipFile(download.value.path())
    assert "summary.html" in archive.namelist()
    assert "Marchbanks" not in archive.read("pupil.csv").decode("utf-8-sig")
