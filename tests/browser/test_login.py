"""A person logs in through the real pages in headless Chromium."""

import pytest
from django.conf import settings

from conftest import browser_login

from ..personas import ALL_SCHOOLS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_head_of_send_logs_in_with_totp_and_sees_all_sixteen_schools(demo_people, page):
    browser_login(page, "hos@demo.test", settings.DEMO_PASSWORD, settings.DEMO_TOTP_SECRET)
    assert page.locator("#school-count").inner_text() == "You can see 16 schools."
    listed = page.locator("tr[data-school]").evaluate_all("rows => rows.map(r => r.dataset.school)")
    assert sorted(listed) == ALL_SCHOOLS
    page.screenshot(path=str(settings.BASE_DIR / "media-test" / "home-hos.png"), full_page=True)


def test_holy_cross_senco_logs_in_and_sees_one_school(demo_people, page):
    browser_login(page, "senco.holycross@demo.test", settings.DEMO_PASSWORD, settings.DEMO_TOTP_SECRET)
    assert page.locator("#school-count").inner_text() == "You can see 1 school."
    rows = page.locator("tr[data-school]")
    assert rows.count() == 1
    assert "Holy Cross Primary" in rows.first.inner_text()
    rows.first.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Holy Cross Primary"


def test_a_wrong_password_shows_an_error_in_the_page(demo_people, page):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("hos@demo.test")
    page.get_by_label("Password").fill("wrong-password-here")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/accounts/login/" in page.url
