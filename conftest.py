"""Shared fixtures. Tests run against the real PostgreSQL and Redis named in the environment
(see the Makefile); nothing here fakes a database or a broker."""

import time
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled


@pytest.fixture(autouse=True)
def _scopes_disabled_outside_requests():
    # Test set-up and assertions read tenant-owned models directly. Requests made through the
    # test client still run inside the scope that TenantScopeMiddleware activates.
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _force_login_is_a_fresh_login(monkeypatch):
    """Exports and casework history ask for a recent authentication (allauth's
    reauthentication_required). A test's force_login stands for a login that just happened,
    so it records one, as the real login form does."""
    import time

    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email}
        ]
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits and its own record of used TOTP codes live in the cache; each test
    # starts without them (the lockout and used codes that sign-in relies on are in PostgreSQL).
    cache.clear()
    yield


@pytest.fixture(scope="session")
def _log_recorder():
    import logging

    from tests.support import RecordingHandler

    handler = RecordingHandler(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    return handler


@pytest.fixture(autouse=True)
def _record_log_lines(_log_recorder):
    # Attached for each test, not once: anything that configures logging again in this process
    # (Django's configure_logging replaces the root logger's handlers) would otherwise end the
    # recording, and the personal-data check of log lines with it, for the rest of the run.
    import logging

    root = logging.getLogger()
    if _log_recorder not in root.handlers:
        root.addHandler(_log_recorder)
    yield


def _sensitive_values() -> set[str]:
    """UPNs, names and dates of birth of every pupil in the database now."""
    from pupils.models import Pupil

    values = set()
    with scopes_disabled():
        rows = list(Pupil.objects.values_list("upn", "surname", "forename", "date_of_birth"))
    for upn, surname, forename, dob in rows:
        values.update({upn, dob.isoformat(), dob.strftime("%d/%m/%Y")})
        values.update(name for name in (surname, forename) if len(name) >= 3)
    return values


@pytest.fixture(autouse=True)
def _no_personal_data_in_urls_or_logs(request):
    """After every test that touched the database: no pupil's UPN, name or date of birth
    appears in a URL the test requested or in a log line written during it."""
    from urllib.parse import unquote_plus

    from tests import support

    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db:
        transactional = "transactional_db" in request.fixturenames or (
            marker is not None and marker.kwargs.get("transaction")
        )
        # Requested here so this check runs before the database is rolled back.
        request.getfixturevalue("transactional_db" if transactional else "db")
    support.clear()
    yield
    if not uses_db:
        return
    urls = [unquote_plus(u) for u in support.REQUESTED_URLS]
    logs = list(support.LOG_LINES)
    if not urls and not logs:
        return
    leaks = sorted({value for value in _sensitive_values() for text in [*urls, *logs] if value in text})
    assert not leaks, f"Personal data in URLs or logs: {leaks}"


@pytest.fixture
def demo_people(db):
    """Only the reference trusts, schools, LAs and the demo users (fast)."""
    from trusts import demo as trusts_demo
    from trusts import reference as trusts_reference

    trusts_reference.load_schools()
    return trusts_demo.seed_users()


@contextmanager
def rolled_back_module_data(django_db_blocker):
    """For module-scoped fixtures: rows made inside live for the module and are rolled back
    at its end; each test runs in its own savepoint inside."""
    from django.db import transaction

    with django_db_blocker.unblock(), scopes_disabled():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_people_module(django_db_setup, django_db_blocker):
    """demo_people, built once per module (use it with the `db` fixture)."""
    from trusts import demo as trusts_demo
    from trusts import reference as trusts_reference

    with rolled_back_module_data(django_db_blocker):
        trusts_reference.load_schools()
        yield trusts_demo.seed_users()


@pytest.fixture
def demo(db):
    """The reference data and demo users, as `seed_demo` loads them."""
    from demo import steps

    return steps.run_all()


def reset_producers(app) -> None:
    # Connections and producers are pooled per app: drop them so a new broker URL is used.
    app._pool = None
    app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)


@pytest.fixture
def celery_app():
    """The project's Celery app, restored after a test changes its broker or eager mode."""
    from send_portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    yield app
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_producers(app)


@pytest.fixture
def dead_broker(celery_app):
    """Tasks are sent to a broker where nothing listens (port 1), not run eagerly."""
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_producers(celery_app)
    return celery_app


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser) -----

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


@pytest.fixture(scope="session")
def browser():
    # No skip when Chromium is missing: a browser test that cannot run must fail.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context against the live server; use with django_db(transaction=True)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def totp_now(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def browser_login(page, email: str, password: str, totp_secret: str | None = None) -> None:
    """Log in through the real login form (and the TOTP step when the user has one)."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if totp_secret:
        # A code is valid for its 30-second window only (no tolerance either side): one typed in
        # the window's last seconds can reach the server in the next and be refused.
        left = 30 - time.time() % 30
        if left < 4:
            time.sleep(left + 0.2)
        page.get_by_label("Code").fill(totp_now(totp_secret))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def fill_date(page, legend: str, value) -> None:
    """Type a date into the GOV.UK date input whose legend is `legend` (day, month and year
    boxes); `value` is a date, or a (day, month, year) tuple of strings for part-dates."""
    group = page.get_by_role("group", name=legend, exact=True)
    parts = (str(value.day), str(value.month), str(value.year)) if hasattr(value, "day") else value
    for box, part in zip(("Day", "Month", "Year"), parts, strict=True):
        group.get_by_label(box, exact=True).fill(part)
