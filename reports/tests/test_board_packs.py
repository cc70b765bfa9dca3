"""Requesting, rendering, listing and downloading board packs through the access policy."""

import pytest
from django.db import connection

from reports import services
from reports.models import BoardPack
from trusts.tests.factories import executive, head_of_send, senco

from .conftest import SPRING_2025

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def execs(reference):
    return executive(reference.assisi), executive(reference.christus)


def request_pack(client, user, slug="assisi-catholic-trust", key=KEY, census=""):
    client.force_login(user)
    return client.post(f"/reports/trusts/{slug}/board-packs/", {"idempotency_key": key, "census": census})


@pytest.mark.django_db
def test_an_executive_requests_a_pack_and_downloads_it(
    client, execs, media_root, django_capture_on_commit_callbacks
):
    assisi_exec, christus_exec = execs
    with django_capture_on_commit_callbacks(execute=True):
        response = request_pack(client, assisi_exec)
    assert response.status_code == 302
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.READY and pack.attempts == 1
    assert (media_root / pack.file_path).read_bytes().startswith(b"%PDF")
    page = client.get("/reports/trusts/assisi-catholic-trust/board-packs/").content.decode()
    assert f'href="/reports/board-packs/{pack.pk}/download/"' in page
    assert "hx-trigger" not in page  # a finished pack is not polled
    download = client.get(f"/reports/board-packs/{pack.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="assisi-catholic-trust')
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # The other trust's executive gets 404 for the pack, its status and its trust's page.
    client.force_login(christus_exec)
    assert client.get(f"/reports/board-packs/{pack.pk}/download/").status_code == 404
    assert client.get(f"/reports/board-packs/{pack.pk}/status/").status_code == 404
    assert client.get("/reports/trusts/assisi-catholic-trust/board-packs/").status_code == 404
    assert request_pack(client, christus_exec, key="f" * 32).status_code == 404
    assert BoardPack.objects.count() == 1


@pytest.mark.django_db
def test_a_queued_pack_is_polled_until_it_is_finished(client, execs):
    assisi_exec, _ = execs
    # Without running the on-commit hook the pack stays queued.
    request_pack(client, assisi_exec)
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.QUEUED
    fragment = client.get(f"/reports/board-packs/{pack.pk}/status/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "Queued" in fragment
    assert "Waiting to start" in fragment
    assert '<progress class="report-progress" max="100" value="0"' in fragment


@pytest.mark.django_db
def test_the_same_request_twice_makes_one_pack(client, execs):
    assisi_exec, _ = execs
    request_pack(client, assisi_exec)
    request_pack(client, assisi_exec)
    assert BoardPack.objects.count() == 1


@pytest.mark.django_db
def test_a_bad_form_changes_nothing(client, execs):
    assisi_exec, _ = execs
    response = request_pack(client, assisi_exec, key="not-a-key")
    assert response.status_code == 400
    assert "please request the pack again" in response.content.decode()
    response = request_pack(client, assisi_exec, census="1999-01-01")
    assert response.status_code == 400
    assert BoardPack.objects.count() == 0


@pytest.mark.django_db
def test_a_senco_and_a_logged_out_visitor_cannot_request_packs(client, reference):
    user = senco(reference.schools["8833001"])
    assert request_pack(client, user, slug="christus-catholic-trust").status_code == 404
    client.logout()
    response = client.post("/reports/trusts/assisi-catholic-trust/board-packs/", {"idempotency_key": KEY})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert BoardPack.objects.count() == 0


@pytest.mark.django_db
def test_rendering_a_finished_pack_again_does_nothing(execs, media_root):
    assisi_exec, _ = execs
    pack = services.board_pack_request(
        actor=assisi_exec,
        trust=assisi_exec.memberships.get().trust,
        census_date=SPRING_2025,
        idempotency_key=KEY,
    )
    services.board_pack_render(pack_id=pack.pk)
    path = media_root / BoardPack.objects.get().file_path
    mtime = path.stat().st_mtime_ns
    again = services.board_pack_render(pack_id=pack.pk)
    assert again.attempts == 1 and path.stat().st_mtime_ns == mtime
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.django_db
def test_a_pack_that_cannot_be_rendered_is_marked_failed(execs, media_root, monkeypatch):
    from reports import pdf
    from reports.tasks import render_board_pack

    assisi_exec, _ = execs

    def broken(*args, **kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    pack = services.board_pack_request(
        actor=assisi_exec, trust=assisi_exec.memberships.get().trust, census_date=None, idempotency_key=KEY
    )
    render_board_pack.apply(args=[pack.pk])
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.FAILED
    assert "RuntimeError: fonts missing" in pack.error
    assert not any(media_root.rglob("*.pdf")) if media_root.exists() else True


@pytest.mark.django_db(transaction=True)
def test_when_the_broker_is_down_the_pack_waits_queued_with_a_clear_message(client, reference, dead_broker):
    user = head_of_send(reference.assisi, reference.christus)
    response = request_pack(client, user)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "the job service is not answering just now" in page
    assert "waiting for the job service" in page
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.QUEUED
    assert services.board_pack_is_waiting(pack)
    assert connection.in_atomic_block is False


@pytest.mark.django_db
def test_a_failing_render_is_retried_then_marked_failed(execs, media_root, monkeypatch, settings):
    from celery.exceptions import Retry

    from reports import pdf
    from reports.tasks import render_board_pack

    assisi_exec, _ = execs
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    pack = services.board_pack_request(
        actor=assisi_exec, trust=assisi_exec.memberships.get().trust, census_date=None, idempotency_key=KEY
    )
    # As a worker runs it (not eager): the failure re-enqueues the task. Tests run queued tasks
    # in-process and eagerly, and an eager run does not retry: so one retry, then failed.
    render_board_pack.push_request(
        is_eager=False, retries=0, id="t-1", called_directly=False, args=[pack.pk], kwargs={}
    )
    try:
        with pytest.raises(Retry):
            render_board_pack.run(pack.pk)
    finally:
        render_board_pack.pop_request()
    pack.refresh_from_db()
    assert len(calls) == 2 and pack.attempts == 2
    assert pack.status == BoardPack.Status.FAILED
    assert "OSError: disk full" in pack.error


@pytest.mark.django_db
def test_a_render_records_its_progress_step_by_step(execs, media_root, monkeypatch):
    from reports import pdf

    assisi_exec, _ = execs
    pack = services.board_pack_request(
        actor=assisi_exec, trust=assisi_exec.memberships.get().trust, census_date=None, idempotency_key=KEY
    )
    seen = []
    real = pdf.render_pdf

    def watching(*args, progress, **kwargs):
        def record(done):
            progress(done)
            row = BoardPack.objects.get(pk=pack.pk)
            seen.append((row.status, row.progress, row.step))

        return real(*args, progress=record, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", watching)
    services.board_pack_render(pack_id=pack.pk)
    assert seen == [("rendering", 40, "Laying out the pages"), ("rendering", 80, "Writing the PDF")]
    pack.refresh_from_db()
    assert (pack.status, pack.progress, pack.step) == ("ready", 100, "")
    assert services.board_pack_file(pack) is not None


@pytest.mark.django_db
def test_a_rendering_pack_shows_its_step_and_progress(client, execs):
    assisi_exec, _ = execs
    request_pack(client, assisi_exec)
    pack = BoardPack.objects.get()
    BoardPack._base_manager.filter(pk=pack.pk).update(status="rendering", progress=40)
    fragment = client.get(f"/reports/board-packs/{pack.pk}/status/").content.decode()
    assert "Laying out the pages… 40%" in fragment
    assert '<progress class="report-progress" max="100" value="40">40%</progress>' in fragment
    assert 'hx-trigger="every 1s"' in fragment


@pytest.mark.django_db
def test_a_failed_pack_offers_try_again_which_renders_it_again(
    client, execs, media_root, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import pdf

    assisi_exec, christus_exec = execs
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError("x")))
    with django_capture_on_commit_callbacks(execute=True):
        request_pack(client, assisi_exec)
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.FAILED
    page = client.get("/reports/trusts/assisi-catholic-trust/board-packs/").content.decode()
    assert "Try again" in page and f'action="/reports/board-packs/{pack.pk}/retry/"' in page
    assert "hx-trigger" not in page  # a failed pack is not polled
    # Another trust's executive cannot retry it.
    client.force_login(christus_exec)
    assert client.post(f"/reports/board-packs/{pack.pk}/retry/").status_code == 404
    monkeypatch.setattr(pdf, "render_pdf", real)
    client.force_login(assisi_exec)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/board-packs/{pack.pk}/retry/")
    assert response.status_code == 302
    pack.refresh_from_db()
    assert (pack.status, pack.attempts, pack.error) == ("ready", 2, "")
    assert (media_root / pack.file_path).read_bytes().startswith(b"%PDF")
    # Trying a ready pack again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reports/board-packs/{pack.pk}/retry/")
    pack.refresh_from_db()
    assert (pack.status, pack.attempts) == ("ready", 2)
    assert client.get(f"/reports/board-packs/{pack.pk}/retry/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_setting_the_request_answers_before_the_pack_is_drawn(
    client, reference, media_root, settings
):
    """Tasks run in the process (CELERY_TASK_ALWAYS_EAGER): the render runs in a thread of its
    own, so the request that asks for the pack does not wait for it."""
    import time

    settings.REPORTS_BOARD_PACK_IN_THREAD = True
    settings.REPORTS_TEST_RENDER_DELAY = 2
    user = executive(reference.assisi)
    started = time.monotonic()
    response = request_pack(client, user)
    took = time.monotonic() - started
    assert response.status_code == 302
    assert took < 1.5, took
    pack = BoardPack.objects.get()
    assert pack.status in (BoardPack.Status.QUEUED, BoardPack.Status.RENDERING)
    fragment = client.get(f"/reports/board-packs/{pack.pk}/status/").content.decode()
    assert "Download PDF" not in fragment and 'hx-trigger="every 1s"' in fragment
    deadline = time.monotonic() + 60
    while pack.status != BoardPack.Status.READY and time.monotonic() < deadline:
        time.sleep(0.2)
        pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY, pack.error
    fragment = client.get(f"/reports/board-packs/{pack.pk}/status/").content.decode()
    assert "Download PDF" in fragment and "hx-trigger" not in fragment


# --- A pack whose worker died while drawing it -----------------------------------------------------


def _stalled(pack: BoardPack, *, attempts: int) -> None:
    import datetime

    from django.conf import settings
    from django.utils import timezone

    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER + 60)
    BoardPack._base_manager.filter(pk=pack.pk).update(
        status=BoardPack.Status.RENDERING,
        attempts=attempts,
        started_at=long_ago,
        heartbeat_at=long_ago,
        progress=40,
    )


@pytest.mark.django_db
def test_a_pack_whose_heartbeat_stopped_is_drawn_again(
    client, execs, media_root, django_capture_on_commit_callbacks
):
    from trusts.jobs import recover_stalled_jobs

    assisi_exec, _ = execs
    request_pack(client, assisi_exec)
    pack = BoardPack.objects.get()
    _stalled(pack, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        found = recover_stalled_jobs()
    assert found["reports.apps.recover_stalled_board_packs"] == 1
    pack.refresh_from_db()
    assert (pack.status, pack.attempts, pack.progress) == ("ready", 2, 100)
    assert (media_root / pack.file_path).read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_a_pack_with_a_recent_heartbeat_is_left_to_its_worker(client, execs):
    from django.utils import timezone

    from trusts.jobs import recover_stalled_jobs

    assisi_exec, _ = execs
    request_pack(client, assisi_exec)
    pack = BoardPack.objects.get()
    _stalled(pack, attempts=1)
    BoardPack._base_manager.filter(pk=pack.pk).update(heartbeat_at=timezone.now())
    assert recover_stalled_jobs()["reports.apps.recover_stalled_board_packs"] == 0
    pack.refresh_from_db()
    assert pack.status == "rendering"


@pytest.mark.django_db
def test_a_pack_that_keeps_stopping_is_marked_failed_and_offers_try_again(client, execs):
    from django.conf import settings

    from trusts.jobs import recover_stalled_jobs

    assisi_exec, _ = execs
    request_pack(client, assisi_exec)
    pack = BoardPack.objects.get()
    _stalled(pack, attempts=settings.JOBS_MAX_ATTEMPTS)
    recover_stalled_jobs()
    pack.refresh_from_db()
    assert pack.status == "failed"
    assert f"stopped while it was being drawn, {settings.JOBS_MAX_ATTEMPTS} times" in pack.error
    page = client.get("/reports/trusts/assisi-catholic-trust/board-packs/").content.decode()
    assert "Try again" in page and "stopped while it was being drawn" in page
