"""Census checks and imports whose process died are found by their stopped heartbeat and sent
again, or marked failed with "try again" (trusts.jobs)."""

import datetime
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import CensusImport, Pupil
from trusts import jobs
from trusts.tests.factories import data_admin

from .conftest import census_csv, school_file

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(seconds=settings.JOBS_STALE_AFTER + 60)


def upload(client, school) -> CensusImport:
    client.post(
        "/pupils/imports/",
        {
            "school": school.laestab,
            "census_date": "2025-10-02",
            "file": SimpleUploadedFile("autumn.csv", census_csv(school_file(6, 14)), "text/csv"),
        },
    )
    with scopes_disabled():
        return CensusImport.objects.get()


def confirmed_but_stalled(client, school, django_capture_on_commit_callbacks, *, attempts=1):
    """An import confirmed whose job died: IMPORTING, its heartbeat long stopped."""
    user = data_admin(school.trust)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        record = upload(client, school)
    with scopes_disabled():
        CensusImport.objects.filter(pk=record.pk).update(
            status=CensusImport.Status.IMPORTING,
            confirmed_by=user,
            attempts=attempts,
            heartbeat_at=timezone.now() - LONG_AGO,
        )
    return record, user


def recover(django_capture_on_commit_callbacks) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        return jobs.recover_stalled_jobs()


def test_an_import_whose_heartbeat_stopped_is_sent_again_and_completes(
    client, school, media_root, django_capture_on_commit_callbacks
):
    record, user = confirmed_but_stalled(client, school, django_capture_on_commit_callbacks)
    found = recover(django_capture_on_commit_callbacks)
    assert found["pupils.tasks.resend_stalled_census_jobs"] == 1
    with scopes_disabled():
        record.refresh_from_db()
        assert record.status == CensusImport.Status.IMPORTED
        assert record.attempts == 2 and record.confirmed_by == user
        assert Pupil.objects.filter(school=school).count() == 6
    # Done: the next pass finds nothing.
    assert recover(django_capture_on_commit_callbacks)["pupils.tasks.resend_stalled_census_jobs"] == 0


def test_a_check_whose_heartbeat_stopped_is_checked_again(
    client, school, media_root, django_capture_on_commit_callbacks
):
    client.force_login(data_admin(school.trust))
    record = upload(client, school)  # the check was never run: the job service lost it
    with scopes_disabled():
        CensusImport.objects.filter(pk=record.pk).update(created_at=timezone.now() - LONG_AGO)
    recover(django_capture_on_commit_callbacks)
    with scopes_disabled():
        record.refresh_from_db()
    assert record.status == CensusImport.Status.READY and record.attempts == 1
    assert not Pupil.objects.exists()  # a check writes nothing


def test_a_job_with_a_recent_heartbeat_is_left_alone(
    client, school, media_root, django_capture_on_commit_callbacks
):
    record, _ = confirmed_but_stalled(client, school, django_capture_on_commit_callbacks)
    with scopes_disabled():
        CensusImport.objects.filter(pk=record.pk).update(heartbeat_at=timezone.now())
    assert recover(django_capture_on_commit_callbacks)["pupils.tasks.resend_stalled_census_jobs"] == 0
    with scopes_disabled():
        assert CensusImport.objects.get(pk=record.pk).status == CensusImport.Status.IMPORTING


def test_an_import_that_keeps_stopping_is_marked_failed_and_offers_try_again(
    client, school, media_root, django_capture_on_commit_callbacks
):
    record, _ = confirmed_but_stalled(
        client, school, django_capture_on_commit_callbacks, attempts=settings.JOBS_MAX_ATTEMPTS
    )
    recover(django_capture_on_commit_callbacks)
    with scopes_disabled():
        record.refresh_from_db()
    assert record.status == CensusImport.Status.FAILED
    assert record.resume_status == CensusImport.Status.IMPORTING
    assert not Pupil.objects.exists()
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "The import stopped" in page
    assert f"interrupted {settings.JOBS_MAX_ATTEMPTS} times" in page and "Try again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pupils/imports/{record.pk}/retry/")
    assert response.status_code == 302
    with scopes_disabled():
        record.refresh_from_db()
    assert record.status == CensusImport.Status.IMPORTED and record.resume_status == ""
    assert Pupil.objects.filter(school=school).count() == 6


def test_a_file_refused_for_its_content_cannot_be_tried_again(
    client, school, media_root, django_capture_on_commit_callbacks
):
    client.force_login(data_admin(school.trust))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/pupils/imports/",
            {
                "school": school.laestab,
                "census_date": "2025-10-02",
                "file": SimpleUploadedFile("a.csv", b"UPN,Surname\r\nB801200005001,Smith\r\n", "text/csv"),
            },
        )
    with scopes_disabled():
        record = CensusImport.objects.get()
    assert record.status == CensusImport.Status.FAILED and record.resume_status == ""
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "The file was refused" in page and "Try again" not in page
    response = client.post(f"/pupils/imports/{record.pk}/retry/", follow=True)
    assert "cannot be tried again" in response.content.decode()
    with scopes_disabled():
        assert CensusImport.objects.get().status == CensusImport.Status.FAILED


def test_try_again_checks_ownership(
    client, school, other_trust_school, media_root, django_capture_on_commit_callbacks
):
    record, _ = confirmed_but_stalled(
        client, school, django_capture_on_commit_callbacks, attempts=settings.JOBS_MAX_ATTEMPTS
    )
    recover(django_capture_on_commit_callbacks)
    client.force_login(data_admin(other_trust_school.trust))
    assert client.post(f"/pupils/imports/{record.pk}/retry/").status_code == 404
    client.force_login(data_admin(school.trust))
    assert client.get(f"/pupils/imports/{record.pk}/retry/").status_code == 405
    with scopes_disabled():
        assert CensusImport.objects.get().status == CensusImport.Status.FAILED


def test_the_page_says_when_a_job_is_being_tried_again(
    client, school, media_root, django_capture_on_commit_callbacks
):
    record, _ = confirmed_but_stalled(client, school, django_capture_on_commit_callbacks, attempts=2)
    page = client.get(f"/pupils/imports/{record.pk}/").content.decode()
    assert "interrupted and is being tried again (run 2 of" in page


def test_recovery_runs_every_minute_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["trusts-recover-stalled-jobs"]
    assert entry["task"] == "trusts.recover_stalled_jobs" and entry["schedule"] == 60.0
    from send_portal.celery import app

    app.loader.import_default_modules()
    assert "trusts.recover_stalled_jobs" in app.tasks


# --- With real concurrent connections ------------------------------------------------------------


def _dsn() -> str:
    params = connection.get_connection_params()
    return (
        f"host={params.get('host') or 'localhost'} port={params.get('port') or 5432} "
        f"dbname={params['dbname']} user={params.get('user') or 'postgres'}"
    )


@pytest.mark.django_db(transaction=True)
def test_an_import_still_running_holds_its_row_and_is_left_alone(
    client, school, media_root, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    record, _ = confirmed_but_stalled(client, school, django_capture_on_commit_callbacks)
    with psycopg.connect(_dsn()) as running:  # the import's own transaction, still open
        running.execute("SELECT 1 FROM pupils_censusimport WHERE id = %s FOR UPDATE", [record.pk])
        found = recover(django_capture_on_commit_callbacks)
        running.rollback()
    assert found["pupils.tasks.resend_stalled_census_jobs"] == 0
    with scopes_disabled():
        assert CensusImport.objects.get(pk=record.pk).status == CensusImport.Status.IMPORTING


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_seen_while_the_job_is_inside_its_transaction(school):
    if connection.vendor != "postgresql":
        pytest.skip("needs a second connection to the same database")
    with scopes_disabled():
        record = CensusImport.objects.create(
            school=school,
            census_date=datetime.date(2025, 10, 2),
            file_name="a.csv",
            file_size=1,
            sha256="0" * 64,
        )

    def seen_from_outside() -> datetime.datetime | None:
        with psycopg.connect(_dsn()) as other:
            return other.execute(
                "SELECT heartbeat_at FROM pupils_censusimport WHERE id = %s", [record.pk]
            ).fetchone()[0]

    with transaction.atomic(), jobs.heartbeat(CensusImport, record.pk, every=0.05):
        time.sleep(0.2)
        first = seen_from_outside()
        time.sleep(0.2)
        second = seen_from_outside()
    assert first is not None and second > first
    assert not [t for t in threading.enumerate() if t.name.startswith("heartbeat-")]


def test_a_failing_heartbeat_never_stops_the_job(monkeypatch):
    calls = []

    class Broken:
        class _meta:  # noqa: N801 - stands in for a model's options
            label = "tests.Broken"

        class _base_manager:  # noqa: N801
            @staticmethod
            def filter(**kwargs):
                calls.append(kwargs)
                raise RuntimeError("database gone")

    with jobs.heartbeat(Broken, 1, every=0.01):
        time.sleep(0.1)
    assert len(calls) >= 2  # kept trying
