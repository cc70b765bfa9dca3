"""Beat's heartbeat: a task beat sends every minute records when a worker ran it, and /healthz
compares. Beat can stop without a word (its schedule file not writable, its container gone),
and the daily and monthly tasks then simply never run; this is how it shows."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from .models import BeatHeartbeat

SINGLETON = 1


def heartbeat_record(now: datetime.datetime | None = None) -> None:
    BeatHeartbeat.objects.update_or_create(pk=SINGLETON, defaults={"ran_at": now or timezone.now()})


def beat_health(now: datetime.datetime | None = None) -> str:
    """`ok: ...` or `warning: ...` for /healthz."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok: tasks run in-process (no beat)"
    now = now or timezone.now()
    max_age = datetime.timedelta(seconds=settings.BEAT_HEARTBEAT_MAX_AGE_SECONDS)
    latest = BeatHeartbeat.objects.filter(pk=SINGLETON).values_list("ran_at", flat=True).first()
    if latest is None or now - latest > max_age:
        when = "never" if latest is None else f"last at {latest:%Y-%m-%d %H:%M:%S %Z}"
        return (
            f"warning: no scheduled task has run for over {max_age.total_seconds() / 60:g} "
            f"minutes ({when}): celery beat or the Celery worker is not running"
        )
    return f"ok: last heartbeat {latest:%Y-%m-%d %H:%M:%S %Z}"
