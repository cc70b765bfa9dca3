"""Celery tasks of the trusts app: the jobs every app shares."""

from celery import shared_task
from django_scopes import scopes_disabled

from . import jobs


@shared_task(name="trusts.recover_stalled_jobs")
def recover_stalled_jobs() -> dict[str, int]:
    """Periodic (beat): long jobs whose heartbeat stopped are sent again or marked failed."""
    with scopes_disabled():
        return jobs.recover_stalled_jobs()
