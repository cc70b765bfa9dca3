"""The production shape on this machine, without Docker: Caddy (deploy/Caddyfile) in front of
gunicorn (deploy/gunicorn.conf.py), a Celery worker and Celery beat, with production settings,
against the machine's PostgreSQL and Redis. `make production-local` runs it; the fault test
tests/faults/test_slow_clients.py starts it the same way.

    python scripts/production_local.py

Environment (all optional):
  DATABASE_URL            default postgres://postgres@127.0.0.1:5432/send_portal_local
                          (created and migrated when missing)
  REDIS_URL               default redis://127.0.0.1:6379/14
  PRODUCTION_LOCAL_PORT   Caddy's HTTPS port on 127.0.0.1 (default 8443)
  PRODUCTION_LOCAL_DIR    logs, media, beat's schedule, Caddy's certificates and the secret key
                          (default .production-local/)

Caddy serves https://localhost:PORT with a certificate from its own local authority (not added
to the machine's trust store: the browser warns once). The line `ready: ...` is printed when
/healthz answers through Caddy; Ctrl-C (or SIGTERM) stops every process it started.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CADDYFILE = BASE_DIR / "deploy" / "Caddyfile"
GUNICORN_CONF = BASE_DIR / "deploy" / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"production-local: {message}", flush=True)


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            say(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def secret_key(state: Path) -> str:
    path = state / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def static_is_fresh(static_root: Path) -> bool:
    """collectstatic takes about 20 s: skip it when its manifest is newer than every source."""
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    return all(p.stat().st_mtime < built for p in (BASE_DIR / "static").rglob("*") if p.is_file())


def https_get(port: int, path: str, timeout: float = 5) -> int:
    import http.client

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # Caddy's local authority is not trusted here
    # By name: Caddy picks the site's certificate by the name the client asks for (SNI).
    conn = http.client.HTTPSConnection("localhost", port, timeout=timeout, context=context)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


class Shape:
    def __init__(self) -> None:
        self.state = Path(os.environ.get("PRODUCTION_LOCAL_DIR", BASE_DIR / ".production-local"))
        self.logs = self.state / "logs"
        self.port = int(os.environ.get("PRODUCTION_LOCAL_PORT", "8443"))
        self.http_port = free_port()  # Caddy's HTTP-to-HTTPS redirect
        self.gunicorn_port = free_port()
        self.site = f"https://localhost:{self.port}"
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def env(self) -> dict[str, str]:
        database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/send_portal_local")
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "send_portal.settings.production",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secret_key(self.state),
            "DEBUG": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": self.site,
            "SITE_URL": self.site,
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
            "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(self.state / "media")),
            "STATIC_ROOT": os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles")),
            # Browsers ignore HSTS for localhost; a real deployment keeps the default year.
            "SECURE_HSTS_SECONDS": os.environ.get("SECURE_HSTS_SECONDS", "0"),
            "SECURE_HSTS_PRELOAD": "0",
            "TRUSTED_PROXY_COUNT": "1",  # Caddy, which sets X-Forwarded-For itself
            "GUNICORN_BIND": f"127.0.0.1:{self.gunicorn_port}",
            # Caddy
            "SITE_ADDRESS": f"localhost:{self.port}",
            "CADDY_TLS": "internal",
            "CADDY_HTTPS_PORT": str(self.port),
            "CADDY_HTTP_PORT": str(self.http_port),
            "UPSTREAM": f"127.0.0.1:{self.gunicorn_port}",
            "XDG_DATA_HOME": str(self.state / "caddy"),
            "XDG_CONFIG_HOME": str(self.state / "caddy"),
        }

    def start(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - the child holds it
        proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        self.procs.append((name, proc))

    def stop(self) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in 20 s: killing it")
                proc.kill()
                proc.wait()
        self.procs.clear()

    def dead(self) -> str | None:
        return next((name for name, proc in self.procs if proc.poll() is not None), None)

    def run(self) -> int:
        caddy = shutil.which("caddy")
        if not caddy:
            say("caddy is not installed: run `bash scripts/system-packages.sh caddy`")
            return 1
        self.logs.mkdir(parents=True, exist_ok=True)
        env = self.env()
        Path(env["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
        ensure_database(env["DATABASE_URL"])
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput"], cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL
        )
        if not static_is_fresh(Path(env["STATIC_ROOT"])):
            say("collecting static files")
            subprocess.run(
                [*manage, "collectstatic", "--noinput"],
                cwd=BASE_DIR,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )

        self.start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "send_portal.wsgi:application"],
            env,
        )
        celery = [sys.executable, "-m", "celery", "-A", "send_portal"]
        self.start("worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], env)
        self.start(
            "beat",
            [*celery, "beat", "--loglevel", "INFO", "--schedule", str(self.state / "celerybeat-schedule")],
            env,
        )
        self.start("caddy", [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"], env)

        deadline = time.monotonic() + 90
        while True:
            if name := self.dead():
                say(f"{name} stopped while starting; see {self.logs / (name + '.log')}")
                return 1
            try:
                if https_get(self.port, "/healthz") in (200, 503):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                say(f"no answer from {self.site}/healthz within 90 s; logs in {self.logs}")
                return 1
            time.sleep(0.3)

        say(
            "ready: "
            + json.dumps(
                {
                    "site": self.site,
                    "gunicorn": env["GUNICORN_BIND"],
                    "http_redirect": self.http_port,
                    "logs": str(self.logs),
                }
            )
        )
        while not (name := self.dead()):
            time.sleep(0.5)
        say(f"{name} stopped; stopping the rest (see {self.logs / (name + '.log')})")
        return 1


def main() -> int:
    shape = Shape()

    def on_signal(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return shape.run()
    finally:
        shape.stop()


if __name__ == "__main__":
    sys.exit(main())
