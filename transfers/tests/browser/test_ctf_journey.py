"""A SENCO brings a new pupil's SEN record in from a common transfer file: upload, check,
confirm, and the pupil page shows the history."""

import pytest
from django.conf import settings

from conftest import browser_login
from pupils.models import Pupil
from transfers.tests.conftest import FILES, ctf_xml, pupil_xml
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, senco

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_upload_check_confirm_then_the_pupil_page_shows_the_transferred_history(page, school):
    user = senco(school)
    browser_login(page, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/schools/{school.laestab}/")
    page.get_by_role("link", name="Import a common transfer file").click()
    page.get_by_label("Common transfer file (XML)").set_input_files(str(FILES / "ctf26_to_8811001.xml"))
    page.get_by_role("button", name="Upload and check").click()

    assert page.locator("#import-heading").inner_text() == "Check what will change"
    assert "St Anne's Catholic Primary School (8812001)" in page.locator("#import-source").inner_text()
    rows = page.locator("#import-pupils tbody tr")
    assert rows.count() == 3
    assert "Joins the register at EHC plan, needs ASD and SLCN." in rows.nth(0).inner_text()
    assert "No SEN in the file: not stored" in rows.nth(2).inner_text()
    assert not Pupil.objects.exists()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "ctf-check.png"), full_page=True)

    page.get_by_role("button", name="Confirm and import").click()
    assert page.locator("#import-heading").inner_text() == "Transfer file imported"
    page.screenshot(path=str(SHOTS / "ctf-imported.png"), full_page=True)
    page.get_by_role("link", name="Okafor, Amara").click()
    history = page.locator("#pupil-history").inner_text()
    assert "EHC plan issued" in history and "From the common transfer file of St Anne's" in history
    page.screenshot(path=str(SHOTS / "ctf-pupil-history.png"), full_page=True)
    assert Pupil.objects.filter(school=school).count() == 2


def test_a_file_for_another_school_is_refused_on_the_upload_page(page, school):
    user = senco(school)
    browser_login(page, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/transfers/schools/{school.laestab}/import/")
    page.get_by_label("Common transfer file (XML)").set_input_files(
        files=[
            {
                "name": "wrong-school.xml",
                "mimeType": "text/xml",
                "buffer": ctf_xml(pupil_xml("Z881200114002"), dest=("883", "2001")),
            }
        ]
    )
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    assert "addressed to another school" in summary.inner_text()
    assert page.title().startswith("Error: ")
    page.screenshot(path=str(SHOTS / "ctf-refused.png"), full_page=True)
    assert not Pupil.objects.exists()


def test_from_the_pupil_page_a_senco_downloads_the_pupils_transfer_file(page, school):
    from pupils.tests.factories import PupilFactory

    pupil = PupilFactory(school=school, surname="Price", forename="Leo", upn="Z881200114002")
    PupilFactory(school=school, surname="Abbott", forename="Ivy")
    user = senco(school)
    browser_login(page, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/pupils/{pupil.pk}/")
    page.get_by_role("link", name="Export a common transfer file").click()
    assert page.get_by_label("Price, Leo").is_checked()
    assert not page.get_by_label("Abbott, Ivy").is_checked()
    page.get_by_label("Next school's DfE number (LAESTAB), if known").fill("8823004")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "ctf-export.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the transfer file").click()
    assert download.value.suggested_filename == "8811001_CTF_8823004_001.xml"
    content = open(download.value.path(), "rb").read()  # noqa: PTH123, SIM115
    assert b"<UPN>Z881200114002</UPN>" in content and b"Abbott" not in content
