"""Writes of the reports app: requesting, rendering and failing board packs."""

from __future__ import annotations

import datetime
import logging
import os
import threading
import time
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connections, transaction
from django.db.models import Manager, Q
from django.utils import timezone

from trusts import access
from trusts.access import Capability
from trusts.jobs import BROKER_ERRORS, heartbeat, stalled_before
from trusts.models import Trust, User

from . import pdf, sections
from .models import BoardPack

log = logging.getLogger(__name__)


QUEUE_WAITING = (
    "Queued — waiting for the job service, which is not answering just now. The pack will be "
    "produced automatically when the service is back; you can leave this page."
)


def _packs() -> Manager[BoardPack]:
    # Writes address packs by id after the access check; DISTINCT (see the model's manager)
    # cannot be combined with FOR UPDATE or DELETE.
    return BoardPack._base_manager


# The render task is found by name in the job service's registry, not imported: the task
# module is a thin wrapper that imports these services, and imports go one way only.
RENDER_TASK = "reports.tasks.render_board_pack"


def _render_task() -> Task[Any, Any]:
    app = current_app
    if RENDER_TASK not in app.tasks:
        # Not loaded yet in this process (a worker loads every app's tasks when it starts).
        app.loader.import_default_modules()
    return app.tasks[RENDER_TASK]


def _render_in_thread(pack_id: int) -> None:
    try:
        # As a worker would run it: a failure is recorded on the pack ("try again").
        _render_task().apply(args=(pack_id,))
    finally:
        connections.close_all()  # this thread's own connections


def _send(pack_id: int) -> None:
    """Send the render task to the job service. In the embedded setting (tasks run in the
    process, REPORTS_BOARD_PACK_IN_THREAD) it runs in a thread of its own instead, so that the
    request that asked for the pack answers at once and the page shows its progress: rendering
    in the request would hold the page for the seconds a pack takes."""
    task = _render_task()
    if settings.REPORTS_BOARD_PACK_IN_THREAD and task.app.conf.task_always_eager:
        # Not a daemon: a server stopping waits for the pack it is drawing.
        threading.Thread(target=_render_in_thread, args=(pack_id,), name=f"board-pack-{pack_id}").start()
        return
    task.delay(pack_id)


def _enqueue_render(pack_id: int) -> bool:
    """Send the render task; when the broker is down the pack stays queued with a message
    and `board_pack_requeue_waiting` sends it later. True if it was sent."""
    try:
        _send(pack_id)
    except BROKER_ERRORS as exc:
        log.warning("Board pack %s waiting: broker unavailable (%s)", pack_id, type(exc).__name__)
        _packs().filter(pk=pack_id, status=BoardPack.Status.QUEUED, started_at__isnull=True).update(
            error=QUEUE_WAITING
        )
        return False
    return True


def board_pack_is_waiting(pack: BoardPack) -> bool:
    """True if the pack could not be sent to the job service yet."""
    return pack.status == BoardPack.Status.QUEUED and pack.error == QUEUE_WAITING


def board_pack_request(
    *, actor: User, trust: Trust, census_date: datetime.date | None, idempotency_key: str
) -> BoardPack:
    """Record a request for a pack and enqueue its rendering once the row is committed (a
    rollback sends nothing). The same key twice returns the first pack. When the broker is
    down the pack is kept, queued and marked as waiting (see `board_pack_is_waiting`)."""
    if not access.can_in_trust(actor, Capability.REQUEST_BOARD_PACK, trust):
        raise PermissionDenied
    existing = _packs().filter(idempotency_key=idempotency_key, trust=trust).first()
    if existing is not None:
        return existing
    start, end = sections.financial_year_to_date()
    try:
        with transaction.atomic():
            pack = _packs().create(
                trust=trust,
                census_date=census_date,
                period_start=start,
                period_end=end,
                requested_by=actor,
                idempotency_key=idempotency_key,
            )
            pack_id = pack.pk
            transaction.on_commit(lambda: _enqueue_render(pack_id))
    except IntegrityError:
        # A concurrent request with the same key won the race.
        return _packs().get(idempotency_key=idempotency_key)
    if not transaction.get_connection().in_atomic_block:
        pack.refresh_from_db()
    return pack


def board_pack_requeue_waiting(*, older_than: int | None = None) -> list[int]:
    """Send again the packs that are queued but never started: those marked as waiting for the
    job service, and any other requested more than `older_than` seconds ago (default
    REPORTS_BOARD_PACK_REQUEUE_AFTER). Safe to repeat: a pack already rendered is left alone
    by the task. Stops at the first broker error. Returns the ids sent."""
    if older_than is None:
        older_than = settings.REPORTS_BOARD_PACK_REQUEUE_AFTER
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
    ids = list(
        _packs()
        .filter(status=BoardPack.Status.QUEUED, started_at__isnull=True)
        .filter(Q(error=QUEUE_WAITING) | Q(created_at__lte=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    sent = []
    for pack_id in ids:
        try:
            _send(pack_id)
        except BROKER_ERRORS as exc:
            log.warning("Board packs not requeued: broker unavailable (%s)", type(exc).__name__)
            break
        sent.append(pack_id)
    if sent:
        _packs().filter(pk__in=sent, error=QUEUE_WAITING).update(error="")
        log.info("Board packs requeued: %s", ", ".join(map(str, sent)))
    return sent


def board_pack_file(pack: BoardPack) -> Path | None:
    """The pack's file if it is ready and on disk, never a path outside MEDIA_ROOT."""
    if pack.status != BoardPack.Status.READY or not pack.file_path:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / pack.file_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def board_pack_render(*, pack_id: int) -> BoardPack:
    """Render a pack and store it (idempotent: a pack already rendered is left alone).
    The file is written under a temporary name and renamed into place atomically."""
    with transaction.atomic():
        pack = _packs().select_for_update().select_related("trust").get(pk=pack_id)
        if pack.status == BoardPack.Status.READY and board_pack_file(pack) is not None:
            return pack
        pack.status = BoardPack.Status.RENDERING
        pack.started_at = pack.heartbeat_at = timezone.now()
        pack.attempts += 1
        pack.error = ""
        pack.progress = 5  # started: the bar shows something moving
        pack.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "error", "progress"])
    if settings.REPORTS_TEST_RENDER_DELAY:
        time.sleep(settings.REPORTS_TEST_RENDER_DELAY)

    def progress(done: int) -> None:
        _packs().filter(pk=pack.pk, status=BoardPack.Status.RENDERING).update(progress=done)

    with heartbeat(BoardPack, pack.pk):
        content = pdf.render_pdf(
            pack.trust, pack.census_date, (pack.period_start, pack.period_end), progress=progress
        )
    relative = Path(settings.REPORTS_BOARD_PACK_DIR) / pack.trust.slug / f"board-pack-{pack.pk}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # Left over by a worker killed mid-write (its `finally` never ran).
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    _packs().filter(pk=pack.pk).update(
        status=BoardPack.Status.READY,
        file_path=str(relative),
        file_size=len(content),
        finished_at=timezone.now(),
        error="",
        progress=100,
    )
    pack.refresh_from_db()
    return pack


def board_pack_retrying(*, pack_id: int, error: str) -> None:
    _packs().filter(pk=pack_id).exclude(status=BoardPack.Status.READY).update(
        status=BoardPack.Status.QUEUED, error=f"Trying again after an error: {error}"
    )


def board_pack_fail(*, pack_id: int, error: str) -> None:
    _packs().filter(pk=pack_id).exclude(status=BoardPack.Status.READY).update(
        status=BoardPack.Status.FAILED, error=error, finished_at=timezone.now()
    )


INTERRUPTED = "Interrupted while it was being drawn; drawing it again."


def board_pack_recover_stalled() -> int:
    """Packs "rendering" whose heartbeat stopped (their worker died) are drawn again, until
    they have been started JOBS_MAX_ATTEMPTS times; then they are marked failed, with "Try
    again" on the page. Rendering is idempotent (the file is renamed into place), so a pack
    drawn twice is one file. Returns how many were found (trusts.recover_stalled_jobs)."""
    before = stalled_before()
    found = 0
    with transaction.atomic():
        packs = list(
            _packs()
            .select_for_update(skip_locked=True)
            .filter(status=BoardPack.Status.RENDERING)
            .filter(Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, started_at__lt=before))
        )
        for pack in packs:
            found += 1
            if pack.attempts >= settings.JOBS_MAX_ATTEMPTS:
                _packs().filter(pk=pack.pk).update(
                    status=BoardPack.Status.FAILED,
                    finished_at=timezone.now(),
                    error=f"The pack stopped while it was being drawn, {pack.attempts} times. "
                    "Try again; if it stops again, ask the platform admin.",
                )
                log.error("Board pack %s stopped after %s runs", pack.pk, pack.attempts)
                continue
            _packs().filter(pk=pack.pk).update(
                status=BoardPack.Status.QUEUED, error=INTERRUPTED, progress=0, heartbeat_at=None
            )
            log.warning("Board pack %s stalled while rendering; sending it again", pack.pk)
            transaction.on_commit(partial(_enqueue_render, pack.pk))
    return found


def board_pack_retry(*, actor: User, pack: BoardPack) -> bool:
    """Render a failed pack again (the same request, its census and period). False, changing
    nothing, when the pack has not failed: one that is ready or on its way is left alone."""
    if not access.can_in_trust(actor, Capability.REQUEST_BOARD_PACK, pack.trust_id):
        raise PermissionDenied
    with transaction.atomic():
        retried = (
            _packs()
            .filter(pk=pack.pk, status=BoardPack.Status.FAILED)
            .update(
                status=BoardPack.Status.QUEUED,
                error="",
                progress=0,
                started_at=None,
                finished_at=None,
                heartbeat_at=None,
            )
        )
        if retried:
            transaction.on_commit(lambda: _enqueue_render(pack.pk))
    return bool(retried)
