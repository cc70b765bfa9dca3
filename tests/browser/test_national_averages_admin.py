"""A platform admin corrects a national average in the admin: a total that is not the sum is
refused with a message and saves nothing; the corrected figures are saved (headless Chromium
against the live server)."""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command

from conftest import browser_login
from pupils.models import NationalAverage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = settings.BASE_DIR / "media-test"


def test_a_platform_admin_corrects_the_primary_national_average(demo_people, page):
    call_command("load_reference", stdout=io.StringIO())
    browser_login(page, "admin@demo.test", settings.DEMO_PASSWORD, settings.DEMO_TOTP_SECRET)
    page.goto("/admin/pupils/nationalaverage/")
    page.get_by_role("link", name="primary").click()
    page.get_by_label("EHC plans (%)").fill("3.9")
    page.get_by_label("Total SEND (%)").fill("25.0")
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator(".errorlist").first
    assert error.inner_text() == "Total SEND should be EHC plans plus SEN support (18.7)."
    page.screenshot(path=str(SHOTS / "admin-national-average-error.png"), full_page=True)
    assert NationalAverage.objects.get(phase="primary").ehcp_pct == Decimal("3.5")

    page.get_by_label("Total SEND (%)").fill("18.7")
    page.get_by_label("Year").fill("2024/25")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/pupils/nationalaverage/")
    page.screenshot(path=str(SHOTS / "admin-national-averages.png"), full_page=True)
    primary = NationalAverage.objects.get(phase="primary")
    assert (primary.ehcp_pct, primary.total_send_pct, primary.year) == (
        Decimal("3.9"),
        Decimal("18.7"),
        "2024/25",
    )
