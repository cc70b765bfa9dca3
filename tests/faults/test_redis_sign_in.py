"""Sign-in with the cache's Redis down, across two real web processes (gunicorn, one worker
each, both pointed at a Redis port nothing listens on). Each process then caches in its own
memory, so anything sign-in security kept in the cache would be forgotten or split between
them: the 6th attempt after five wrong passwords spread over both processes must still be
refused, a colleague at the same address must still sign in, and a TOTP code used on one
process must be refused on the other."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from trusts.models import Role
from trusts.tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, SchoolFactory, executive, member

from .conftest import BASE_DIR, free_port, test_database_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WRONG = "not-the-password-at-all"


class Browser:
    """One person's browser: cookies kept, each request sent to the web process named."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, base: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(base + path, data=body, timeout=30) as response:
                return response.status, response.url, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.url, exc.read().decode()

    def post_form(self, base: str, path: str, fields: dict) -> tuple[int, str, str]:
        _, _, page = self.request(base, path)
        return self.request(base, path, {"csrfmiddlewaretoken": CSRF.search(page).group(1), **fields})

    def sign_in(self, base: str, email: str, password: str = TEST_PASSWORD) -> tuple[str, str]:
        _, url, page = self.post_form(base, "/accounts/login/", {"login": email, "password": password})
        return url[len(base) :], page


@pytest.fixture
def two_web_processes(tmp_path):
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "send_portal.settings.test",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": dead_redis,
        "CELERY_BROKER_URL": dead_redis,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "LOG_LEVEL": "WARNING",
    }
    servers = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"web-{name}.log", "wb")  # noqa: SIM115 - closed below
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "send_portal.wsgi",
                    "-w",
                    "1",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                ],
                env=env,
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            servers.append((proc, log, f"http://127.0.0.1:{port}"))
        for proc, _, base in servers:

            def up(base=base, proc=proc):
                assert proc.poll() is None, "a web process exited"
                try:
                    return Browser().request(base, "/accounts/login/")[0] == 200
                except OSError:
                    return False

            wait_for(up, 60, "the web processes to answer")
        yield [base for _, _, base in servers]
    finally:
        for proc, log, _ in servers:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def totp_step() -> int:
    return int(time.time()) // 30


def totp_code(step: int) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, step))


def test_with_redis_down_the_sixth_attempt_is_refused_across_processes_and_colleagues_sign_in(
    two_web_processes,
):
    a, b = two_web_processes
    school = SchoolFactory()
    user, colleague = executive(school.trust), executive(school.trust)
    for base in (a, b, a, b, a):  # five wrong passwords, spread over both processes
        path, page = Browser().sign_in(base, user.email, WRONG)
        assert "not correct" in page, page[-500:]
    path, page = Browser().sign_in(b, user.email)  # the right password, sixth attempt
    assert path == "/accounts/login/"
    assert "Too many failed attempts to sign in to this account" in page
    # Everyone else behind the same address signs in, on either process.
    for base in (a, b):
        path, page = Browser().sign_in(base, colleague.email)
        assert path == "/", page[-500:]


def test_with_redis_down_a_totp_code_used_on_one_process_is_refused_on_the_other(
    two_web_processes,
):
    a, b = two_web_processes
    user = member(Role.SENCO, school=SchoolFactory())
    if 30 - time.time() % 30 < 12:  # leave the whole test inside one 30-second code step
        time.sleep(30 - time.time() % 30 + 0.5)
    step = totp_step()
    code = totp_code(step)

    owner = Browser()
    assert owner.sign_in(a, user.email)[0] == "/accounts/2fa/authenticate/"
    _, url, _ = owner.post_form(a, "/accounts/2fa/authenticate/", {"code": code})
    assert url == a + "/"

    for base in (b, a):  # replayed on the other process, and on the same one
        thief = Browser()
        assert thief.sign_in(base, user.email)[0] == "/accounts/2fa/authenticate/"
        _, url, page = thief.post_form(base, "/accounts/2fa/authenticate/", {"code": code})
        assert url == base + "/accounts/2fa/authenticate/"
        assert "already been used" in page or "Incorrect code" in page
        assert thief.request(base, "/")[1].startswith(base + "/accounts/")  # not signed in
    # The code was still the current one throughout: its refusal was for its reuse.
    assert totp_step() == step
