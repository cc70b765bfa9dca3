"""Load benchmark: `python -m bench load` (or `make bench BENCH=load`).

Starts, on 127.0.0.1 only, gunicorn (3 workers, production settings over plain HTTP) and a
Celery worker against a throw-away database (bench_load, next to DATABASE_URL) loaded by
`seed_demo`, plus load-test users copied from the demo personas. 50 simulated users (threads,
one urllib session each, each from its own loopback address so the per-IP login limit does not
apply) log in through the real form with TOTP, then browse the dashboards and registers of
their own trusts for LOAD_SECONDS (or LOAD_MAX_REQUESTS each), each waiting THINK_SECONDS
between pages as a person reading them would; five executives request a board pack meanwhile.
Reports requests per second, p50/p95 latency, the 5xx count, other non-200 answers, and checks
that no response names a school of a trust the user has no role in.

Goals (printed MET or MISSED; main() returns False on any miss, so `make bench` exits 1):
p95 at most 300 ms, no error, no leak, every requested board pack ready.

gunicorn runs as the Dockerfile deploys it: 3 sync workers."""

from __future__ import annotations

import csv
import functools
import html
import http.client
import http.cookiejar
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
USERS = 50
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", 60))
MAX_REQUESTS_PER_USER = int(os.environ.get("LOAD_MAX_REQUESTS", 200))
BOARD_PACKS = 5
THINK_SECONDS = float(os.environ.get("LOAD_THINK_SECONDS", 1.0))
P95_GOAL_MS = 300
GUNICORN_WORKERS = "3"  # as in the Dockerfile's CMD
PASSWORD = "load-test-password-2026"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
IDEMPOTENCY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _field(pattern: re.Pattern[str], page: str) -> str:
    """A hidden field's value from a form page (a clear failure when the page has none)."""
    found = pattern.search(page)
    if found is None:
        raise RuntimeError(f"No {pattern.pattern!r} on the page")
    return found.group(1)


# --- Personas ------------------------------------------------------------------------------------


@dataclass
class Persona:
    role: str
    trusts: list[str]  # trust names the user holds a role in
    schools: list[str]  # LAESTABs whose pages the user browses
    trust_slugs: list[str]
    count: int
    urls: list[str] = field(default_factory=list)


def reference_schools() -> list[dict]:
    with open(BASE_DIR / "data" / "reference" / "schools_2025.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def personas(rows: list[dict]) -> list[Persona]:
    from django.utils.text import slugify

    by_trust: dict[str, list[str]] = {}
    for row in rows:
        by_trust.setdefault(row["trust"], []).append(row["laestab"])
    assisi, christus = "Assisi Catholic Trust", "Christus Catholic Trust"
    a, c = slugify(assisi), slugify(christus)
    result = [
        Persona("head_of_send", [assisi, christus], by_trust[assisi][:3] + by_trust[christus][:3], [a, c], 5),
        Persona("trust_executive", [assisi], by_trust[assisi][:4], [a], 10),
        Persona("trust_executive", [christus], by_trust[christus][:4], [c], 10),
        Persona("senco", [christus], ["8833001"], [], 10),
        Persona("senco", [assisi], ["8824001"], [], 10),
        Persona("data_admin", [assisi], by_trust[assisi][:3], [a], 5),
    ]
    for p in result:
        p.urls = ["/"]
        if p.role == "head_of_send":
            p.urls.append("/reports/cross-trust/")
        if p.role in ("head_of_send", "trust_executive"):
            p.urls += [f"/reports/trusts/{slug}/" for slug in p.trust_slugs]
        if p.role == "trust_executive":
            p.urls += [f"/reports/trusts/{slug}/board-packs/" for slug in p.trust_slugs]
        p.urls += [f"/reports/schools/{laestab}/" for laestab in p.schools]
        if p.role in ("head_of_send", "senco", "data_admin"):
            p.urls += [f"/pupils/schools/{laestab}/register/" for laestab in p.schools]
    assert sum(p.count for p in result) == USERS
    return result


def forbidden_names(rows: list[dict], persona: Persona) -> list[str]:
    """School names of trusts the persona has no role in (less any that are part of an allowed
    name), in the forms a page may show them."""
    allowed = [r["school"] for r in rows if r["trust"] in persona.trusts]
    names = [r["school"] for r in rows if r["trust"] not in persona.trusts]
    names = [n for n in names if not any(n in a for a in allowed)]
    return sorted({form for n in names for form in (n, html.escape(n))})


# --- The system under test ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database() -> str:
    """Create bench_load beside DATABASE_URL and return its URL."""
    import psycopg

    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    assert url.hostname in ("127.0.0.1", "localhost", "::1"), "load bench runs on loopback only"
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS bench_load WITH (FORCE)")
        conn.execute("CREATE DATABASE bench_load")
    return url._replace(path="/bench_load").geturl()


def server_env(database_url: str, media_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",  # production; see that module
            "SECURE_SSL_REDIRECT": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MEDIA_ROOT": media_root,
            "CONN_MAX_AGE": "60",  # as docker-compose.yml deploys it
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, check=True, stdout=subprocess.DEVNULL
    )


def create_load_users(env: dict, plan: list[Persona]) -> list[tuple[str, Persona]]:
    """Users copied from the demo personas (one TOTP code each per 30 s, so one user each)."""
    code = """
import json, sys
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from trusts.models import Membership, School, Trust, User
plan = json.loads(sys.stdin.read())
hashed = make_password(plan["password"])
for item in plan["users"]:
    user = User.objects.create(email=item["email"], full_name="Load test", password=hashed)
    if item["role"] == "senco":
        for laestab in item["schools"]:
            Membership.objects.create(user=user, role="senco", school=School.objects.get(laestab=laestab))
    else:
        for name in item["trusts"]:
            Membership.objects.create(user=user, role=item["role"], trust=Trust.objects.get(name=name))
    if item["role"] != "trust_executive":
        TOTP.activate(user, plan["secret"])
"""
    import json

    users, items = [], []
    for p_index, persona in enumerate(plan):
        for i in range(persona.count):
            email = f"load{p_index}-{i}@load.test"
            users.append((email, persona))
            items.append(
                {"email": email, "role": persona.role, "trusts": persona.trusts, "schools": persona.schools}
            )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        cwd=BASE_DIR,
        check=True,
        text=True,
        input=json.dumps({"password": PASSWORD, "secret": TOTP_SECRET, "users": items}),
    )
    return users


# --- Clients ----------------------------------------------------------------------------------------


class AnyCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    # Production cookies are Secure; this client talks plain HTTP on loopback only.
    def return_ok_secure(self, cookie, request):
        return True


class FromAddressHandler(urllib.request.HTTPHandler):
    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(
            functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req
        )


class Session:
    def __init__(self, base: str, source: str):
        self.base = base
        self.signed_in = False
        self.jar = http.cookiejar.CookieJar(policy=AnyCookiePolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), FromAddressHandler(source)
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str, float]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                text = response.read().decode("utf-8", "replace")
                status, url = response.status, response.url
        except urllib.error.HTTPError as exc:
            text, status, url = exc.read().decode("utf-8", "replace"), exc.code, exc.url
        return status, url, text, time.perf_counter() - start

    def login(self, email: str, totp: bool) -> None:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        _, _, page, _ = self.request("/accounts/login/")
        status, url, page, _ = self.request(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": _field(CSRF, page),
                "login": email,
                "password": PASSWORD,
            },
        )
        if totp:
            assert "/accounts/2fa/" in url, (email, status, url)
            for attempt in range(2):
                if attempt:
                    # A code sent as its 30-second step ended can arrive in the next one: the
                    # next step's code, as a person would type it.
                    time.sleep(30 - time.time() % 30 + 0.5)
                code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
                status, url, page, _ = self.request(
                    url[len(self.base) :],
                    {"csrfmiddlewaretoken": _field(CSRF, page), "code": code},
                )
                if "/accounts/2fa/" not in url:
                    break
        assert status == 200 and "/accounts/" not in url, (email, status, url)
        self.signed_in = True


def page_kind(path: str) -> str:
    """A path with its school or trust left out ("/reports/schools/*/"), to group latencies."""
    return re.sub(r"/(trusts|schools)/[^/]+/", r"/\1/*/", path)


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    other: dict[str, int] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, status: int, seconds: float, leak: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind.setdefault(page_kind(path), []).append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status != 200:
                self.other[f"{status} {path}"] = self.other.get(f"{status} {path}", 0) + 1
            if leak:
                self.leaks.append(leak)


def browse(
    session: Session, persona: Persona, forbidden: list[str], deadline: float, results: Results, offset: int
) -> None:
    for n in range(MAX_REQUESTS_PER_USER):
        if time.monotonic() > deadline:
            return
        path = persona.urls[(n + offset) % len(persona.urls)]
        status, _, text, seconds = session.request(path)
        leak = next((f"{path}: {name}" for name in forbidden if name in text), None)
        results.add(path, status, seconds, leak)
        time.sleep(THINK_SECONDS)


def request_pack(session: Session, slug: str) -> None:
    _, _, page, _ = session.request(f"/reports/trusts/{slug}/board-packs/")
    status, _, page, _ = session.request(
        f"/reports/trusts/{slug}/board-packs/",
        {
            "csrfmiddlewaretoken": _field(CSRF, page),
            "idempotency_key": _field(IDEMPOTENCY, page),
            "census": "",
        },
    )
    assert status == 200 and "Board pack requested" in page, (status, page[:500])


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def main() -> bool:
    from bench.goals import Goals

    rows = reference_schools()
    plan = personas(rows)
    database_url = prepare_database()
    media_root = tempfile.mkdtemp(prefix="send-load-media-")
    env = server_env(database_url, media_root)
    t0 = time.monotonic()
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    users = create_load_users(env, plan)
    print(
        f"Prepared bench_load (seed_demo, {len(users)} load users) in {time.monotonic() - t0:.0f} s",
        flush=True,
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = Path(tempfile.mkdtemp(prefix="send-load-logs-"))
    gunicorn_log = open(logs / "gunicorn.log", "wb")  # noqa: SIM115 - closed at the end
    worker_log = open(logs / "worker.log", "wb")  # noqa: SIM115
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "send_portal.wsgi",
            "-w",
            GUNICORN_WORKERS,
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=gunicorn_log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "send_portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=BASE_DIR,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    try:
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "send_portal", "purge", "-f"],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            check=False,
        )

        def up():
            try:
                return Session(base, "127.0.0.1").request("/healthz")[0] in (200, 503)
            except OSError:
                return False

        assert wait_until(up, 60), (logs / "gunicorn.log").read_text()[-2000:]

        sessions = [Session(base, f"127.0.0.{10 + i}") for i in range(len(users))]
        t0 = time.monotonic()
        logins = [
            threading.Thread(target=s.login, args=(email, p.role != "trust_executive"))
            for s, (email, p) in zip(sessions, users, strict=True)
        ]
        for t in logins:
            t.start()
        for t in logins:
            t.join()
        signed_in = sum(1 for s in sessions if s.signed_in)
        print(
            f"Logged in {signed_in} of {len(sessions)} users (password + TOTP) in "
            f"{time.monotonic() - t0:.1f} s",
            flush=True,
        )

        executives = [
            (s, p) for s, (_, p) in zip(sessions, users, strict=True) if p.role == "trust_executive"
        ]
        pack_users = [executives[0], executives[-1], executives[1], executives[-2], executives[2]]
        results = Results()
        deadline = time.monotonic() + LOAD_SECONDS
        threads = [
            threading.Thread(target=request_pack, args=(s, p.trust_slugs[0]))
            for s, p in pack_users[:BOARD_PACKS]
        ]
        threads += [
            threading.Thread(target=browse, args=(s, p, forbidden_names(rows, p), deadline, results, i))
            for i, (s, (_, p)) in enumerate(zip(sessions, users, strict=True))
            # A user whose sign-in failed would time the sign-in page: counted below instead.
            if s.signed_in
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start

        import psycopg

        def packs_ready() -> tuple[int, int]:
            with psycopg.connect(database_url, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE status = 'ready'), count(*) FROM reports_boardpack"
                ).fetchone()
                assert row is not None  # an aggregate always returns a row
                return row[0], row[1]

        wait_until(lambda: packs_ready()[0] >= BOARD_PACKS, 180)
        ready, requested = packs_ready()

        lat = sorted(results.latencies)
        total = len(lat)
        errors = sum(c for s, c in results.statuses.items() if s >= 500)
        p95 = lat[max(0, int(round(0.95 * total)) - 1)]
        print(f"{USERS} users, {total} requests in {elapsed:.1f} s: {total / elapsed:.1f} requests/s")
        print(
            f"latency p50 {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {lat[-1] * 1000:.0f} ms"
        )
        for kind, times in sorted(results.by_kind.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {kind:45} {len(times):5d} requests, median {statistics.median(times) * 1000:6.0f} ms")
        print(f"status counts: {dict(sorted(results.statuses.items()))}; 5xx: {errors}")
        if results.other:
            print(f"non-200 answers: {results.other}")
        print(f"board packs: {requested} requested, {ready} ready")
        print(f"responses checked for other trusts' school names: {total}; leaks: {len(results.leaks)}")
        for leak in results.leaks[:10]:
            print(f"  LEAK {leak}")
        goals = Goals()
        goals.at_most(
            f"page latency p95, {USERS} users with {THINK_SECONDS:g} s think time",
            p95 * 1000,
            P95_GOAL_MS,
            " ms",
        )
        goals.at_least("users signed in", signed_in, USERS)
        goals.at_most("5xx answers", errors, 0)
        goals.at_most("responses naming another trust's school", len(results.leaks), 0)
        goals.at_least(f"board packs ready ({requested} requested)", ready, BOARD_PACKS)
        return goals.all_met
    finally:
        for proc in (gunicorn, worker):
            proc.terminate()
        for proc in (gunicorn, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        gunicorn_log.close()
        worker_log.close()
