"""Fault-test machinery: a throwaway redis-server, a throwaway PostgreSQL cluster and real Celery
workers, each started by the test on a free loopback port and stopped at its end. The shared
Redis and PostgreSQL of the machine are never stopped. A missing binary fails the test."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from conftest import reset_producers

BASE_DIR = Path(settings.BASE_DIR)
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """A redis-server of our own; stop() and start() simulate an outage on the same port."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed: the fault tests need it"
        self.binary, self.workdir, self.port = binary, workdir, free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _port_open(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        wait_for(lambda: not _port_open(self.port), 10, "redis-server to stop")


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class PostgresServer:
    """A PostgreSQL cluster of our own (initdb into a temporary folder, loopback only)."""

    def __init__(self, workdir: Path):
        for tool in ("initdb", "pg_ctl", "postgres"):
            assert (PG_BIN / tool).exists(), f"{PG_BIN / tool} is missing: the fault tests need it"
        self.data = workdir / "pgdata"
        self.socket_dir = workdir
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self.as_postgres:
            shutil.chown(workdir, "postgres")

    def _run(self, *args, timeout=60, check=True):
        cmd = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        assert not check or done.returncode == 0, f"{args[0]} failed: {done.stderr[-2000:]}"
        return done

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.data / "log"),
            "-o",
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off",
        )

    def restart(self) -> None:
        self._run("pg_ctl", "restart", "-D", str(self.data), "-m", "fast", "-w", "-l", str(self.data / "log"))

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", check=False)


@pytest.fixture
def own_postgres():
    # Not under pytest's tmp_path: the postgres user cannot enter root's 0700 folders.
    workdir = Path(tempfile.mkdtemp(prefix="send-faults-pg-"))
    try:
        server = PostgresServer(workdir)
        server.init()
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def use_redis(settings):
    """Point this process's cache and Celery broker at a Redis URL (restored afterwards)."""
    from send_portal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)

    def point(url: str) -> None:
        settings.CELERY_BROKER_URL = url
        settings.CACHES = {alias: {**config, "LOCATION": url} for alias, config in settings.CACHES.items()}
        forget_caches()
        app.conf.broker_url = url
        app.conf.task_always_eager = False
        reset_producers(app)

    yield point
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_producers(app)
    forget_caches()


def forget_caches() -> None:
    """Make django.core.cache build its caches again from the (changed) settings."""
    caches._settings = None
    for alias in ("default",):
        with contextlib.suppress(AttributeError, KeyError):
            del caches[alias]


def test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


test_database_url.__test__ = False


class Worker:
    """A real `celery worker` (solo pool: one process, so SIGKILL takes the task with it)."""

    def __init__(self, redis_url: str, media_root: Path, log_path: Path, **env):
        self.env = dict(os.environ)
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "send_portal.settings.test",
                "DATABASE_URL": test_database_url(),
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "MEDIA_ROOT": str(media_root),
                **{k: str(v) for k, v in env.items()},
            }
        )
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, name: str) -> Worker:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "send_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=self.env,
            cwd=BASE_DIR,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(
            lambda: self.proc.poll() is not None or f"{name}@" in self.log() and " ready." in self.log(),
            60,
            "the Celery worker to start",
        )
        assert self.proc.poll() is None, self.log()[-3000:]
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()


@pytest.fixture
def workers():
    started: list[Worker] = []

    def make(redis_url: str, media_root: Path, log_path: Path, name: str, **env) -> Worker:
        worker = Worker(redis_url, media_root, log_path, **env)
        started.append(worker)
        return worker.start(name)

    yield make
    for worker in started:
        worker.stop()
