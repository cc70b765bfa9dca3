from django.db import models


class BeatHeartbeat(models.Model):
    """One row: when the heartbeat task that beat sends every minute last ran on a worker.
    /healthz warns when it is older than two minutes: beat (or every worker) has stopped, and
    no scheduled task (reminders, figure checks, board pack requeues) is running."""

    ran_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"beat heartbeat {self.ran_at:%Y-%m-%d %H:%M:%S}"
