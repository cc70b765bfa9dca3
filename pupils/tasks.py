"""Background jobs of the census upload: ids in, re-fetch, call the service."""

from celery import shared_task
from django_scopes import scopes_disabled

from . import services


@shared_task
def check_census_import(import_id: int) -> None:
    with scopes_disabled():
        services.census_import_check_stored(import_id=import_id)


@shared_task
def apply_census_import(import_id: int, actor_id: int | None) -> None:
    with scopes_disabled():
        services.census_import_apply_stored(import_id=import_id, actor_id=actor_id)
