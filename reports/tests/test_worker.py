"""The board-pack task on a real Celery worker, consuming from the real Redis broker and writing
to the test database: the PDF it stores names every school of the trust with its figures."""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from pypdf import PdfReader

from conftest import reset_producers
from core.numbers import pct
from reports import services
from reports.models import BoardPack
from trusts.tests.factories import executive

from .conftest import make_reference

pytestmark = pytest.mark.services

MANAGE_DIR = Path(settings.BASE_DIR)


def _worker_env(media_root: Path) -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "send_portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "MEDIA_ROOT": str(media_root),
        }
    )
    return env


def _celery(*args):
    return [sys.executable, "-m", "celery", "-A", "send_portal", *args]


@pytest.fixture
def worker(transactional_db, media_root, celery_app):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    media_root.mkdir(parents=True, exist_ok=True)
    env = _worker_env(media_root)
    # Drop messages left in this Redis database by an earlier, interrupted run.
    subprocess.run(
        _celery("purge", "-f"), env=env, cwd=MANAGE_DIR, capture_output=True, timeout=60, check=False
    )
    log = open(media_root.parent / "worker.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        _celery(
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--hostname=reports-test@%h",
            "--without-gossip",
            "--without-mingle",
        ),
        env=env,
        cwd=MANAGE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            ping = subprocess.run(
                _celery("inspect", "ping", "-d", "reports-test@" + os.uname().nodename, "--timeout=2"),
                env=env,
                cwd=MANAGE_DIR,
                capture_output=True,
                timeout=60,
                check=False,
            )
            if ping.returncode == 0 and b"pong" in ping.stdout:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "The Celery worker did not start: "
                    + (media_root.parent / "worker.log").read_text()[-2000:]
                )
            time.sleep(0.5)
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL
        reset_producers(celery_app)
        proc.log_path = media_root.parent / "worker.log"
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_a_real_worker_renders_the_pack_with_every_school_and_its_figures(worker, media_root):
    reference = make_reference()
    user = executive(reference.christus)
    pack = services.board_pack_request(
        actor=user, trust=reference.christus, census_date=None, idempotency_key="a" * 32
    )
    deadline = time.monotonic() + 90
    while True:
        pack.refresh_from_db()
        if pack.is_finished or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert pack.status == BoardPack.Status.READY, (pack.status, pack.error)
    content = (media_root / pack.file_path).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.replace("’", "'").split())
    for row in reference.rows:
        if row["trust"] != "Christus Catholic Trust":
            continue
        assert row["school"] in text
        nor, e, k = int(row["number_on_roll"]), int(row["ehcp"]), int(row["sen_support"])
        assert f"{row['school']} {'Essex' if row['la_code'] == '881' else 'Thurrock'}" in text
        assert f"{nor} {e} {pct(e, nor)}% {k} {pct(k, nor)}% {e + k} {pct(e + k, nor)}%" in text
    assert "Holy Cross Primary Thurrock Primary 218 23 10.6% 23 10.6% 46 21.1%" in text
    assert "2,073" in text  # the trust's pupils on roll
    assert "Sacred Heart Primary" not in text  # an Assisi school
    # Rendered by the worker process, not in this one.
    assert "render_board_pack[" in worker.log_path.read_text()
