"""Background jobs of the census upload: ids in, re-fetch, call the service."""

from celery import shared_task
from django_scopes import scopes_disabled

from trusts.jobs import enqueue_or_run_now

from . import services


@shared_task
def check_census_import(import_id: int) -> None:
    with scopes_disabled():
        services.census_import_check_stored(import_id=import_id)


@shared_task
def apply_census_import(import_id: int, actor_id: int | None) -> None:
    with scopes_disabled():
        services.census_import_apply_stored(import_id=import_id, actor_id=actor_id)


def send(step: str, import_id: int, actor_id: int | None) -> None:
    """Send a census job ("check" or "import") once the current transaction commits."""
    if step == "check":
        enqueue_or_run_now(check_census_import, import_id)
    else:
        enqueue_or_run_now(apply_census_import, import_id, actor_id)


def resend_stalled_census_jobs() -> int:
    """The census part of trusts.recover_stalled_jobs (registered in PupilsConfig.ready)."""
    resend = services.census_import_recover_stalled()
    for import_id, step, actor_id in resend:
        send(step, import_id, actor_id)
    return len(resend)
