from celery import shared_task

from .heartbeat import heartbeat_record


@shared_task(name="send_portal.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    heartbeat_record()
