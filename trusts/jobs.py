"""Background jobs: what every app needs to enqueue safely."""

import logging

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
