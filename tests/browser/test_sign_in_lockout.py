"""Sign-in refusals as a person sees them: a locked account says how long to wait, and a
two-factor code already used says to wait for the next one."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from conftest import totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = settings.BASE_DIR / "media-test"


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_after_five_wrong_passwords_the_right_one_is_refused_with_how_long_to_wait(demo_people, page):
    for _ in range(5):
        sign_in(page, "csel.assisi@demo.test", "wrong-password-here")
        assert "not correct" in page.get_by_role("alert").inner_text()
    sign_in(page, "csel.assisi@demo.test", settings.DEMO_PASSWORD)
    alert = page.get_by_role("alert").inner_text()
    assert "Too many failed attempts to sign in to this account. Try again in 15 minutes" in alert
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(SHOTS / "sign-in-locked.png"), full_page=True)


def test_a_two_factor_code_that_already_signed_someone_in_is_refused(demo_people, page, browser, live_server):
    if 30 - time.time() % 30 < 12:  # keep both sign-ins inside one 30-second code step
        time.sleep(30 - time.time() % 30 + 0.5)
    code = totp_now(settings.DEMO_TOTP_SECRET)
    sign_in(page, "hos@demo.test", settings.DEMO_PASSWORD)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)

    cache.clear()  # as after a Redis restart: only PostgreSQL remembers the code
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        second = other.new_page()
        sign_in(second, "hos@demo.test", settings.DEMO_PASSWORD)
        second.get_by_label("Code").fill(code)
        second.get_by_role("button", name="Continue").click()
        assert "That code has already been used" in second.get_by_role("alert").inner_text()
        assert "/accounts/2fa/authenticate/" in second.url
        second.screenshot(path=str(SHOTS / "sign-in-code-used.png"), full_page=True)
    finally:
        other.close()
