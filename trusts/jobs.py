"""Background jobs: what every app needs to enqueue safely."""

import datetime
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, models
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# What enqueueing raises when the broker does not answer.
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)


def enqueue_or_run_now(task, *args) -> bool:
    """Send `task` when the current transaction commits; if the job service does not answer, run
    it in this process instead. For short jobs (about a second) whose user is waiting for the
    result: better a slower page than a job stuck on a dead queue. True if it was queued."""
    try:
        task.delay_on_commit(*args)
        return True
    except BROKER_ERRORS as exc:
        log.warning("Job service not answering (%s); running %s in this process", exc, task.name)
        task.apply(args=args, throw=True)
        return False


# --- Long jobs that must not be stuck for ever ---------------------------------------------------
#
# A long job (a census check or import, a board pack) keeps a heartbeat on its record while it
# runs. A job whose process died (a worker killed, PostgreSQL restarted under it) stops beating;
# the beat task `trusts.recover_stalled_jobs` finds such records and each app's recovery either
# sends the job again (jobs are idempotent) or, after JOBS_MAX_ATTEMPTS, marks it failed and
# offers "try again". The heartbeat is written by a thread of its own, on its own database
# connection, so it is seen while the job's work is still inside an uncommitted transaction.


@contextmanager
def heartbeat(model: type[models.Model], pk: int, *, every: float | None = None) -> Iterator[None]:
    """Write `heartbeat_at` on the record now and every `every` seconds (JOBS_HEARTBEAT_SECONDS)
    until the block ends. A failed write is logged and tried again at the next beat: the job
    itself never fails for its heartbeat."""
    interval = settings.JOBS_HEARTBEAT_SECONDS if every is None else every
    stop = threading.Event()

    def beat() -> None:
        try:
            while True:
                try:
                    model._base_manager.filter(pk=pk).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a heartbeat must never stop the job
                    log.warning("Heartbeat of %s %s not written", model._meta.label, pk, exc_info=True)
                if stop.wait(interval):
                    return
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.label}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def stalled_before() -> datetime.datetime:
    """A running job whose last heartbeat is older than this has stopped."""
    return timezone.now() - datetime.timedelta(seconds=settings.JOBS_STALE_AFTER)


_RECOVERIES: list[Callable[[], int]] = []


def recovers_stalled_jobs(recovery: Callable[[], int]) -> Callable[[], int]:
    """Register an app's recovery (called by the beat task; returns how many jobs it found)."""
    if recovery not in _RECOVERIES:
        _RECOVERIES.append(recovery)
    return recovery


def recover_stalled_jobs() -> dict[str, int]:
    """Run every app's recovery; one failing does not stop the others."""
    found = {}
    for recovery in _RECOVERIES:
        name = f"{recovery.__module__}.{recovery.__name__}"
        try:
            found[name] = recovery()
        except Exception:
            log.exception("Recovery %s failed", name)
    return found
