"""Background work of the funding app."""

from celery import shared_task
from django_scopes import scopes_disabled

from . import figures


@shared_task(name="funding.advance_figures_horizon")
def advance_figures_horizon() -> bool:
    """Daily (Celery beat): rows for the next financial year once the year has turned
    (funding.figures.horizon_advance). True when the figures were rebuilt."""
    with scopes_disabled():
        return figures.horizon_advance()
