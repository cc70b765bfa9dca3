"""Lockout per account and per address, and TOTP codes used once, kept in PostgreSQL (not the
cache). The same promises with Redis down, across web processes: tests/faults/test_redis_sign_in.py."""

import datetime
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from trusts.models import Role, SignInFailure, UsedTotpCode

from .factories import TEST_PASSWORD, TEST_TOTP_SECRET, SchoolFactory, executive, member

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-at-all"


def current_code() -> str:
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


def wrong_code() -> str:
    return "000000" if current_code() != "000000" else "111111"


def post_login(client, email, password=TEST_PASSWORD, ip="192.0.2.10"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def age_failures(seconds: int) -> None:
    SignInFailure.objects.update(at=timezone.now() - datetime.timedelta(seconds=seconds))


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_and_says_for_how_long(client):
    user = executive(SchoolFactory().trust)
    for _ in range(5):
        assert "not correct" in post_login(client, user.email, WRONG).content.decode()
    page = post_login(client, user.email).content.decode()
    assert "Too many failed attempts to sign in to this account. Try again in 15 minutes" in page
    assert not signed_in(client)


def test_four_wrong_passwords_then_the_right_one_signs_in_and_the_count_starts_again(client):
    user = executive(SchoolFactory().trust)
    for _ in range(4):
        post_login(client, user.email, WRONG)
    assert post_login(client, user.email).status_code == 302
    assert SignInFailure.objects.filter(account_key__gt="").count() == 0
    other = Client()
    for _ in range(4):
        post_login(other, user.email, WRONG)
    assert post_login(other, user.email).status_code == 302


def test_the_lockout_ends_fifteen_minutes_after_the_first_of_the_five_failures(client, settings):
    assert settings.LOGIN_LOCKOUT_SECONDS == 15 * 60
    user = executive(SchoolFactory().trust)
    for _ in range(5):
        post_login(client, user.email, WRONG)
    age_failures(14 * 60)
    assert "Try again in 1 minute," in post_login(client, user.email).content.decode()
    age_failures(15 * 60 + 1)
    assert post_login(client, user.email).status_code == 302


def test_one_persons_typos_do_not_lock_out_colleagues_behind_the_same_school_address(client):
    school = SchoolFactory()
    typists = [executive(school.trust) for _ in range(4)]
    for typist in typists:  # 16 failures from one address, none over an account's limit
        for _ in range(4):
            post_login(Client(), typist.email, WRONG)
    for _ in range(5):
        post_login(Client(), typists[0].email, WRONG + "!")
    assert "Too many" in post_login(Client(), typists[0].email).content.decode()
    colleague = executive(school.trust)
    assert post_login(client, colleague.email).status_code == 302
    assert signed_in(client)


def test_an_address_with_a_hundred_failures_in_fifteen_minutes_is_refused(client, settings):
    assert settings.LOGIN_IP_FAILURE_LIMIT == 100
    settings.LOGIN_IP_FAILURE_LIMIT = 6  # the same rule, fewer requests
    school = SchoolFactory()
    for n in range(6):
        post_login(Client(), f"nobody{n}@example.test", WRONG)
    user = executive(school.trust)
    page = post_login(client, user.email).content.decode()
    assert "Too many failed sign-in attempts from your network. Try again in 15 minutes." in page
    # Another address is not affected.
    assert post_login(Client(), user.email, ip="198.51.100.7").status_code == 302


def test_behind_a_proxy_each_forwarded_client_address_is_counted_on_its_own(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(3):
        Client().post(
            "/accounts/login/",
            {"login": f"nobody{n}@example.test", "password": WRONG},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
            **proxy,
        )
    user = executive(SchoolFactory().trust)
    refused = Client().post(
        "/accounts/login/",
        {"login": user.email, "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **proxy,
    )
    assert "from your network" in refused.content.decode()
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.6",
        **proxy,
    )
    assert response.status_code == 302


def test_an_unknown_address_locks_like_a_real_one_so_a_lockout_reveals_nothing(client):
    for _ in range(5):
        post_login(client, "nobody@example.test", WRONG)
    assert "Too many failed attempts" in post_login(client, "nobody@example.test").content.decode()


def test_wrong_two_factor_codes_count_towards_the_lockout(client):
    user = member(Role.SENCO, school=SchoolFactory())
    assert post_login(client, user.email)["Location"] == "/accounts/2fa/authenticate/"
    for _ in range(5):
        page = client.post("/accounts/2fa/authenticate/", {"code": wrong_code()}).content.decode()
        assert "Incorrect code" in page
    page = client.post("/accounts/2fa/authenticate/", {"code": current_code()}).content.decode()
    assert "Too many failed attempts to sign in to this account" in page
    assert not signed_in(client)
    assert "Too many" in post_login(Client(), user.email).content.decode()


def test_a_used_totp_code_is_refused_even_when_the_cache_has_forgotten_it(client):
    user = member(Role.SENCO, school=SchoolFactory())
    code = current_code()
    post_login(client, user.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert signed_in(client)
    cache.clear()  # what a Redis restart, or another web process's memory, looks like
    thief = Client()
    assert post_login(thief, user.email)["Location"] == "/accounts/2fa/authenticate/"
    page = thief.post("/accounts/2fa/authenticate/", {"code": code}).content.decode()
    assert "That code has already been used" in page
    assert not signed_in(thief)


def test_used_codes_and_failures_older_than_their_window_are_deleted_on_the_next_write(client):
    user = member(Role.SENCO, school=SchoolFactory())
    old = timezone.now() - datetime.timedelta(hours=1)
    UsedTotpCode.objects.create(user=user, code=current_code(), used_at=old)
    SignInFailure.objects.create(account_key="x" * 64, ip_address="192.0.2.99", at=old)
    post_login(client, user.email)
    assert SignInFailure.objects.filter(ip_address="192.0.2.99").count() == 0
    # The stale row for the same digits neither blocks the code nor survives.
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code()}).status_code == 302
    assert list(UsedTotpCode.objects.values_list("used_at", flat=True)) != [old]
    assert UsedTotpCode.objects.count() == 1


def test_resetting_the_password_unlocks_the_account(client, mailoutbox):
    user = executive(SchoolFactory().trust)
    for _ in range(5):
        post_login(client, user.email, WRONG)
    client.post("/accounts/password/reset/", {"email": user.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    form = client.get(path, follow=True)
    new_password = "a-brand-new-passphrase-42"
    client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    assert post_login(Client(), user.email, new_password).status_code == 302
