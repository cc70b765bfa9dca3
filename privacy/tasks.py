import logging

from celery import shared_task
from django_scopes import scopes_disabled

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="privacy.retention_report")
def retention_report() -> dict[str, int]:
    """Monthly: how many pupils per trust are past retention (a dry run; counts only)."""
    with scopes_disabled():
        counts = services.retention_run(dry_run=True)
    logger.info(
        "Retention report: %d pupil record(s) past retention; by trust: %s",
        sum(counts.values()),
        counts or "none",
    )
    return counts
