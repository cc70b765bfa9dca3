"""Login with and without two-factor, lock-out, session expiry, no public sign-up."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trusts.middleware import SESSION_LOGIN_AT, SESSION_SEEN_AT
from trusts.models import Role

from .factories import TEST_PASSWORD, TEST_TOTP_SECRET, SchoolFactory, executive, member

pytestmark = pytest.mark.django_db


def current_code(secret: str = TEST_TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def post_login(client, email, password=TEST_PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_password_only_role_logs_in_with_email_and_password(client):
    user = executive(SchoolFactory().trust)
    response = post_login(client, user.email)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_two_factor_user_must_give_a_totp_code_after_the_password(client):
    school = SchoolFactory()
    user = member(Role.SENCO, school=school)
    response = post_login(client, user.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Not logged in yet: the home page still asks for a login.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code()})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert school.name in home.content.decode()


def test_a_wrong_totp_code_is_refused(client):
    user = member(Role.SENCO, school=SchoolFactory())
    post_login(client, user.email)
    wrong = "000000" if current_code() != "000000" else "111111"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_role_that_requires_two_factor_is_sent_to_set_it_up(client):
    user = member(Role.HEAD_OF_SEND, trust=SchoolFactory().trust, totp=False)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_senco_may_use_a_password_only_when_explicitly_allowed(client, settings):
    settings.MFA_REQUIRED_ROLES = ["head_of_send", "data_admin", "platform_admin"]
    user = member(Role.SENCO, school=SchoolFactory(), totp=False)
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_without_saying_whether_the_account_exists(client):
    user = executive(SchoolFactory().trust)
    response = post_login(client, user.email, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_repeated_failed_logins_lock_the_account_even_with_the_right_password(client):
    user = executive(SchoolFactory().trust)
    for _ in range(5):
        post_login(client, user.email, "not-the-password")
    response = post_login(client, user.email)
    assert response.status_code == 200
    assert "Too many failed attempts to sign in to this account" in response.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_sessions_expire_after_thirty_minutes_idle(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    user = executive(SchoolFactory().trust)
    post_login(client, user.email)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timezone.timedelta(minutes=2))
    seen = client.session
    seen[SESSION_SEEN_AT] = int(time.time()) - settings.SESSION_ACTIVITY_INTERVAL
    seen.save()
    assert client.get("/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    # A request a minute after the last one seen pushes expiry 30 minutes ahead ...
    assert session.expire_date > timezone.now() + timezone.timedelta(minutes=29)
    # ... and once 30 idle minutes have passed the session is gone.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_requests_within_a_minute_of_each_other_do_not_write_the_session(client):
    user = executive(SchoolFactory().trust)
    post_login(client, user.email)
    client.get("/")  # seen now
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code in (200, 302)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert writes == []


def test_sessions_end_twelve_hours_after_login_however_active(client):
    user = executive(SchoolFactory().trust)
    post_login(client, user.email)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_LOGIN_AT] = int(time.time()) - 12 * 60 * 60 - 1
    session.save()
    response = client.get("/")
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_there_is_no_public_sign_up(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.test", "password1": "a-long-password-123", "password2": "a-long-password-123"},
    )
    assert response.status_code == 200
    assert "Sign Up Closed" in response.content.decode()
    from trusts.models import User

    assert not User.objects.filter(email="new@example.test").exists()


def test_password_reset_sends_an_email(client, mailoutbox):
    user = executive(SchoolFactory().trust)
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]


def test_failed_logins_are_logged_without_the_password_or_the_address(client, caplog):
    user = executive(SchoolFactory().trust)
    with caplog.at_level("WARNING", logger="send_portal.security"):
        post_login(client, user.email, "a-secret-guess-123")
    lines = [r.getMessage() for r in caplog.records if r.name == "send_portal.security"]
    assert len(lines) == 1 and lines[0].startswith("login failed account=")
    assert "a-secret-guess-123" not in lines[0]
    assert user.email not in lines[0]


def test_pages_for_signed_in_users_are_not_stored_by_browsers(client):
    user = executive(SchoolFactory().trust)
    client.force_login(user)
    assert client.get("/")["Cache-Control"] == "no-store, private"


def test_a_new_session_key_is_issued_at_login(client):
    user = executive(SchoolFactory().trust)
    client.get("/accounts/login/")
    before = client.session.session_key
    post_login(client, user.email)
    assert client.session.session_key != before


def test_changing_the_password_ends_the_users_other_sessions(client):
    from django.test import Client

    user = executive(SchoolFactory().trust)
    other_device = Client()
    other_device.force_login(user)
    assert other_device.get("/").status_code == 200
    post_login(client, user.email)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": TEST_PASSWORD,
            "password1": "a-brand-new-passphrase-42",
            "password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert other_device.get("/")["Location"].startswith("/accounts/login/")


def test_the_admin_login_goes_through_the_two_factor_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


def test_signing_out_ends_the_users_other_sessions(client):
    from django.test import Client

    user = executive(SchoolFactory().trust)
    other_device = Client()
    post_login(other_device, user.email)
    assert other_device.get("/").status_code == 200
    post_login(client, user.email)
    client.post("/accounts/logout/")
    assert other_device.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    ["/audit/{slug}/export.csv", "/reports/trusts/{slug}/export.csv", "/funding/trusts/{slug}/export.csv"],
)
def test_exports_ask_for_the_password_again_fifteen_minutes_after_it_was_given(client, url):
    from trusts.models import Role

    school = SchoolFactory()
    user = member(Role.HEAD_OF_SEND, trust=school.trust)
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time() - 15 * 60 - 1, "email": user.email}
    ]
    session.save()
    response = client.get(url.format(slug=school.trust.slug))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_an_export_right_after_a_real_login_needs_no_second_password(client):
    school = SchoolFactory()
    user = executive(school.trust)
    post_login(client, user.email)
    response = client.get(f"/reports/trusts/{school.trust.slug}/export.csv")
    assert response.status_code == 200


def test_re_authenticating_lets_the_export_through(client):
    school = SchoolFactory()
    user = executive(school.trust)
    post_login(client, user.email)
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= 16 * 60
    session.save()
    url = f"/reports/trusts/{school.trust.slug}/export.csv"
    assert client.get(url)["Location"].startswith("/accounts/reauthenticate/")
    response = client.post(f"/accounts/reauthenticate/?next={url}", {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(url).status_code == 200


def _signed_in_with_two_factor(client, user, minutes_ago: int) -> None:
    """A real sign-in (password, then TOTP code), its authentication `minutes_ago` old."""
    post_login(client, user.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code()}).status_code == 302
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= minutes_ago * 60
    session.save()


def test_a_two_factor_session_opens_and_writes_cases_without_the_password_again(client):
    from casework import services as casework_services

    school = SchoolFactory()
    user = member(Role.SENCO, school=school)
    case = casework_services.case_open(
        actor=user,
        school=school,
        kind="complaint",
        title="Complaint",
        owner=user,
        opened_on=timezone.localdate(),
    )
    _signed_in_with_two_factor(client, user, minutes_ago=3 * 60)
    assert client.get(f"/casework/cases/{case.pk}/").status_code == 200
    response = client.post(f"/casework/cases/{case.pk}/notes/", {"text": "Parent phoned."})
    assert response.status_code == 302
    assert response["Location"] == f"/casework/cases/{case.pk}/"
    assert "Parent phoned." in client.get(response["Location"]).content.decode()
    assert client.get(f"/casework/schools/{school.laestab}/cases/").status_code == 200
    # Exports of the same session still ask for the password again.
    export = client.get(f"/pupils/schools/{school.laestab}/register/export.csv")
    assert export.status_code == 302
    assert export["Location"].startswith("/accounts/reauthenticate/")


def test_the_session_timeouts_are_set_and_the_activity_interval_is_shorter_than_the_idle_one(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # idle timeout
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    assert settings.SESSION_ACTIVITY_INTERVAL < settings.SESSION_COOKIE_AGE
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT == 15 * 60
    from trusts.checks import check_session_timeouts

    assert check_session_timeouts(None) == []


@pytest.mark.parametrize(
    ("idle", "interval", "absolute", "code"),
    [
        (60, 60, 3600, "trusts.E001"),  # an active session could expire between two saves
        (1800, 60, 0, "trusts.E002"),
        (0, 60, 3600, "trusts.E002"),
        (7200, 60, 3600, "trusts.W001"),  # the idle timeout would never be reached
    ],
)
def test_timeouts_that_would_not_work_are_reported_by_the_system_checks(
    settings, idle, interval, absolute, code
):
    from trusts.checks import check_session_timeouts

    settings.SESSION_COOKIE_AGE = idle
    settings.SESSION_ACTIVITY_INTERVAL = interval
    settings.SESSION_ABSOLUTE_TIMEOUT = absolute
    assert code in [m.id for m in check_session_timeouts(None)]


def test_the_password_reset_link_is_built_from_site_url_not_the_requests_host(client, mailoutbox, settings):
    settings.SITE_URL = "https://send.example.org"
    user = executive(SchoolFactory().trust)
    client.post("/accounts/password/reset/", {"email": user.email})
    [message] = mailoutbox
    assert "https://send.example.org/accounts/password/reset/key/" in message.body
    assert "testserver" not in message.body and "testserver" not in message.subject
    assert message.subject.startswith("SEND Portal: ")


def test_an_unknown_address_is_not_invited_to_a_sign_up_that_does_not_exist(client, mailoutbox, settings):
    settings.SITE_URL = "https://send.example.org"
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    for message in mailoutbox:
        assert "/accounts/signup/" not in message.body and "testserver" not in message.body
        assert "data admin" in message.body
