"""PostgreSQL restarted while a census import runs (our own throwaway cluster, never the shared
one): the import fails and writes nothing, the next import succeeds, and a long-lived web
process with a persistent connection answers its next request (CONN_HEALTH_CHECKS)."""

import datetime
import hashlib
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings

from bench.census import generate
from reports.tests.conftest import make_reference
from trusts.models import School
from trusts.tests.factories import data_admin

from .conftest import BASE_DIR, PG_BIN, test_database_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROWS = 60_000
CENSUS_DATE = datetime.date(2025, 10, 2)


def _counts(url: str, school_id: int) -> tuple[int, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        pupils = conn.execute(
            "SELECT count(*) FROM pupils_pupil WHERE school_id = %s", [school_id]
        ).fetchone()[0]
        snapshots = conn.execute(
            "SELECT count(*) FROM pupils_censussnapshot WHERE school_id = %s AND census_date = %s",
            [school_id, CENSUS_DATE],
        ).fetchone()[0]
    return pupils, snapshots


def _import_writing(url: str) -> bool:
    """True once another backend holds a transaction that has written (has an xid)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return bool(
            conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            ).fetchone()[0]
        )


def test_postgres_restarted_during_an_import_leaves_nothing_and_the_next_import_succeeds(
    own_postgres, tmp_path
):
    reference = make_reference(previous=False)
    school = School.objects.filter(trust=reference.christus).order_by("laestab").first()
    url = own_postgres.url("send")
    subprocess.run(
        [str(PG_BIN / "psql"), own_postgres.url("postgres"), "-qc", "CREATE DATABASE send"],
        check=True,
        capture_output=True,
        timeout=30,
    )
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--no-owner", test_database_url()],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    subprocess.run(
        [str(PG_BIN / "psql"), url, "-q", "-v", "ON_ERROR_STOP=1"],
        input=dump,
        check=True,
        capture_output=True,
        timeout=60,
    )
    before = _counts(url, school.pk)
    census = tmp_path / "census.csv"
    census.write_bytes(generate([school], rows=ROWS))

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "send_portal.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "CONN_MAX_AGE": "600",
    }
    probe = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.wsgi_probe"],
        env=env,
        cwd=BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    command = [
        sys.executable,
        "manage.py",
        "import_census",
        str(census),
        "--school",
        school.laestab,
        "--date",
        CENSUS_DATE.isoformat(),
    ]
    try:
        probe.stdin.write("go\n")
        probe.stdin.flush()
        assert probe.stdout.readline().split() == ["200", "ok"]

        importing = subprocess.Popen(
            command, env=env, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_for(
            lambda: importing.poll() is not None or _import_writing(url),
            30,
            "the import to start writing",
            interval=0.05,
        )
        assert importing.poll() is None, "the import finished before the restart: use more rows"
        own_postgres.restart()
        out, err = importing.communicate(timeout=60)
        assert importing.returncode != 0, out
        assert "Imported" not in out
        assert _counts(url, school.pk) == before  # nothing written: no pupils, no snapshot

        # The web process's connection died with the restart; its next request still succeeds.
        probe.stdin.write("go\n")
        probe.stdin.flush()
        assert probe.stdout.readline().split() == ["200", "ok"]

        again = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr[-2000:]
        assert "Imported" in again.stdout
        pupils, snapshots = _counts(url, school.pk)
        assert pupils > before[0] and snapshots == 1
    finally:
        probe.kill()
        probe.wait()


JOB = """
import sys, django
django.setup()
from django_scopes import scopes_disabled
from pupils import services
with scopes_disabled():
    services.census_import_apply_stored(import_id=int(sys.argv[1]), actor_id=int(sys.argv[2]))
"""

RECOVER = """
import django
django.setup()
from trusts.tasks import recover_stalled_jobs
print(recover_stalled_jobs())
"""


def test_an_import_job_cut_off_by_a_restart_is_found_and_completed(own_postgres, tmp_path):
    """The import job's process dies with the restart before it can record the failure: the
    record would say "importing" for ever. The recovery finds it and runs it again."""
    reference = make_reference(previous=False)
    school = School.objects.filter(trust=reference.christus).order_by("laestab").first()
    admin = data_admin(reference.christus)
    url = own_postgres.url("send")
    subprocess.run(
        [str(PG_BIN / "psql"), own_postgres.url("postgres"), "-qc", "CREATE DATABASE send"],
        check=True,
        capture_output=True,
        timeout=30,
    )
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--no-owner", test_database_url()],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    subprocess.run(
        [str(PG_BIN / "psql"), url, "-q", "-v", "ON_ERROR_STOP=1"],
        input=dump,
        check=True,
        capture_output=True,
        timeout=60,
    )
    before = _counts(url, school.pk)
    media = tmp_path / "media"
    (media / "census").mkdir(parents=True)
    data = generate([school], rows=ROWS)
    (media / "census" / "stored.csv").write_bytes(data)
    with psycopg.connect(url, autocommit=True) as conn:
        import_id = conn.execute(
            "INSERT INTO pupils_censusimport (school_id, census_date, file, file_name, file_size, "
            "sha256, created_at, status, rows, error_count, errors, summary, message, attempts, "
            "resume_status, confirmed_by_id) VALUES (%s, %s, 'census/stored.csv', 'stored.csv', "
            "%s, %s, now(), 'importing', 0, 0, '[]', '{}', '', 0, '', %s) RETURNING id",
            [school.pk, CENSUS_DATE, len(data), hashlib.sha256(data).hexdigest(), admin.pk],
        ).fetchone()[0]

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "send_portal.settings.test",
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media),
        "JOBS_STALE_AFTER": "0",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    job = subprocess.Popen(
        [sys.executable, "-c", JOB, str(import_id), str(admin.pk)],
        env=env,
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(
        lambda: job.poll() is not None or _import_writing(url),
        30,
        "the import to start writing",
        interval=0.05,
    )
    assert job.poll() is None, "the import finished before the restart: use more rows"
    own_postgres.restart()
    job.communicate(timeout=60)

    def status() -> tuple[str, int]:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(
                "SELECT status, attempts FROM pupils_censusimport WHERE id = %s", [import_id]
            ).fetchone()

    assert status()[0] == "importing"  # the job could not record its own failure
    assert _counts(url, school.pk) == before

    recovered = subprocess.run(
        [sys.executable, "-c", RECOVER], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=180
    )
    assert recovered.returncode == 0, recovered.stderr[-2000:]
    assert "'pupils.tasks.resend_stalled_census_jobs': 1" in recovered.stdout
    assert status() == ("imported", 2)
    pupils, snapshots = _counts(url, school.pk)
    assert pupils > before[0] and snapshots == 1
