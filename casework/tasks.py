from celery import shared_task
from django_scopes import scopes_disabled

from . import services


@shared_task(name="casework.send_daily_reminders")
def send_daily_reminders() -> int:
    """Daily (Celery beat): one digest per owner of what is due within 7 days or overdue."""
    with scopes_disabled():
        return services.reminders_send_daily()
