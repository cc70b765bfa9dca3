"""A trust data admin imports a census in the browser: upload, preview, confirm, register."""

import pytest
from django.conf import settings

from conftest import browser_login, fill_date
from pupils.tests.conftest import census_csv, row, school_file
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, data_admin, senco

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_upload_preview_confirm_then_the_register_shows_the_new_counts(page, school, media_root):
    admin = data_admin(school.trust)
    browser_login(page, admin.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/schools/{school.laestab}/")
    page.get_by_role("link", name="Import a census file").click()
    fill_date(page, "Census date", ("2", "10", "2025"))
    page.get_by_label("Census file (CSV)").set_input_files(
        files=[
            {
                "name": "autumn-2025.csv",
                "mimeType": "text/csv",
                "buffer": census_csv(school_file(12, 38) + [row(900, "K", "SLCN", "ASD")], bom=True),
            }
        ]
    )
    page.get_by_role("button", name="Upload and check").click()
    heading = page.locator("#import-heading")
    assert heading.inner_text() == "Check what will change"
    summary = page.locator("#import-summary")
    assert "New to the register" in summary.inner_text() and "13" in summary.inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "census-preview.png"), full_page=True)

    page.get_by_role("button", name="Confirm and import").click()
    assert page.locator("#import-heading").inner_text() == "Census imported"
    page.screenshot(path=str(SHOTS / "census-imported.png"), full_page=True)
    page.get_by_role("link", name=f"{school.name}'s SEN register").click()
    assert page.locator("#figure-nor").inner_text() == "51"
    assert page.locator("#figure-ehcp").inner_text() == "3"
    assert page.locator("#figure-sen-support").inner_text() == "10"
    assert page.locator("#register-table tbody tr").count() == 13
    page.get_by_label("Provision").select_option("E")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#register-table tbody tr").count() == 3
    assert "provision=E" in page.url  # the filter can be bookmarked
    page.screenshot(path=str(SHOTS / "register-after-import.png"), full_page=True)
    # A search by name is posted: the filter stays in the URL, the name never goes there.
    surname = page.locator("#register-table tbody tr td a").first.inner_text().split(",")[0]
    page.get_by_label("Name or UPN").fill(surname)
    page.get_by_role("button", name="Search", exact=True).click()
    assert "provision=E" in page.url and surname not in page.url
    assert page.locator("#register-table tbody tr").count() >= 1
    page.screenshot(path=str(SHOTS / "register-searched.png"), full_page=True)


def test_a_file_with_errors_shows_the_first_errors_and_offers_no_import(page, school, media_root):
    admin = data_admin(school.trust)
    browser_login(page, admin.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto("/pupils/imports/")
    page.get_by_label("School", exact=True).select_option(school.laestab)
    fill_date(page, "Census date", ("02", "10", "2025"))
    page.get_by_label("Census file (CSV)").set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": census_csv([row(1), row(2, "N", year_group="15"), row(3, "K", "ZZZ")]),
            }
        ]
    )
    page.get_by_role("button", name="Upload and check").click()
    assert page.locator("#import-heading").inner_text() == "The file has errors"
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 2
    assert "'15' is not a year group" in errors.nth(0).inner_text()
    assert page.get_by_role("button", name="Confirm and import").count() == 0
    page.screenshot(path=str(SHOTS / "census-errors.png"), full_page=True)


def test_a_senco_takes_a_pupil_off_the_register_and_sees_the_history(page, school):
    from pupils.tests.factories import PupilFactory

    pupil = PupilFactory(
        school=school, surname="Orchard", forename="Maya", provision="K", primary_need="SLCN"
    )
    user = senco(school)
    browser_login(page, user.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto(f"/pupils/schools/{school.laestab}/register/")
    page.get_by_role("link", name="Orchard, Maya").click()
    page.get_by_label("Provision").select_option("K")
    page.get_by_label("Primary need").select_option("SEMH")
    page.get_by_role("button", name="Save the change").click()
    assert "SEMH" in page.locator("#pupil-primary-need").inner_text()
    assert "Need changed" in page.locator("#pupil-history").inner_text()
    page.screenshot(path=str(SHOTS / "pupil-page.png"), full_page=True)
    page.get_by_label("Reason for removing").fill("Needs met after two terms of support")
    page.get_by_role("button", name="Remove from the register").click()
    assert "0 pupils on the register" in page.locator("#register-count").inner_text()
    pupil.refresh_from_db()
    assert pupil.provision == "N"


def test_a_file_that_would_empty_the_register_warns_names_the_leavers_and_needs_the_tick_box(
    page, school, media_root
):
    from datetime import date

    from pupils import services
    from pupils.models import Pupil
    from trusts.models import School

    services.census_import(
        actor=None,
        raw=census_csv(school_file(40, 10)),
        file_name="a.csv",
        census_date=date(2025, 10, 2),
        school=school,
        allowed_schools=School.objects.filter(pk=school.pk),
    )
    admin = data_admin(school.trust)
    browser_login(page, admin.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto("/pupils/imports/")
    page.get_by_label("School", exact=True).select_option(school.laestab)
    fill_date(page, "Census date", ("15", "1", "2026"))
    page.get_by_label("Census file (CSV)").set_input_files(
        files=[
            {
                "name": "spring-part.csv",
                "mimeType": "text/csv",
                "buffer": census_csv(school_file(5, 0)),
            }
        ]
    )
    page.get_by_role("button", name="Upload and check").click()
    assert page.locator("#import-heading").inner_text() == "Check what will change"
    warning = page.locator("#leavers-warning").inner_text()
    assert f"35 of the 40 pupils with SEND at {school.name} (87.5%)" in warning
    assert page.locator("#import-leavers tbody tr").count() == 35
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "census-leavers-warning.png"), full_page=True)

    # Without the tick box nothing is imported: the error summary says why.
    page.get_by_role("button", name="Confirm and import").click()
    summary = page.locator(".govuk-error-summary")
    assert "Tick the box to confirm that 35 pupils" in summary.inner_text()
    assert page.title().startswith("Error: ")
    assert not Pupil.objects.filter(left_school_on__isnull=False).exists()
    page.screenshot(path=str(SHOTS / "census-leavers-error.png"), full_page=True)

    page.get_by_label("I confirm that 35 pupils with SEND will be recorded as having left").check()
    page.get_by_role("button", name="Confirm and import").click()
    assert page.locator("#import-heading").inner_text() == "Census imported"
    assert "Recorded as having left" in page.locator("#leavers-heading").inner_text()
    assert Pupil.objects.filter(left_school_on=date(2026, 1, 15)).count() == 35
    page.screenshot(path=str(SHOTS / "census-leavers-imported.png"), full_page=True)
