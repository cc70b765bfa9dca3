"""/healthz: the state of the database, the cache and the Celery broker as JSON.
200 when all answer, 503 naming the part that does not; 200 with status "degraded" while only
the fail-soft cache's Redis does not answer (pages still work). The checks themselves are
django-health-check's; this view only names them and picks the status code."""

import asyncio

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from reports.figures_check import figures_health

from .cache import FailSoftRedisCache
from .heartbeat import beat_health


def _redis_check(url: str, timeout: float = 2) -> Redis:
    return Redis(
        client_factory=lambda: RedisClient.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
    )


# Pages work without the cache's Redis (FailSoftRedisCache answers from memory), so its outage
# is "degraded", a warning, not a failure that would take the site out of a load balancer.
CACHE_DEGRADED = "degraded: Redis not answering; each process caches in its own memory"


class HealthzView(HealthCheckView):
    def get_named_checks(self):
        cache = caches["default"]
        checks = {"database": Database()}
        if not isinstance(cache, FailSoftRedisCache):
            checks["cache"] = Cache()
        elif not cache.redis_skipped():
            # The fail-soft cache answers from memory when Redis is down, so ask Redis itself;
            # while its circuit breaker is open the answer is known without waiting for Redis.
            checks["cache"] = _redis_check(cache.location, timeout=1)
        broker_url = settings.CELERY_BROKER_URL
        if broker_url.startswith(("redis://", "rediss://")):
            checks["broker"] = _redis_check(broker_url)
        return checks

    async def get(self, request, *args, **kwargs):
        checks = self.get_named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(c.get_result(executor) for c in checks.values()))
        parts = {
            name: ("ok" if result.error is None else f"error: {result.error}")
            for name, result in zip(checks, results, strict=True)
        }
        if not parts.get("cache", "").startswith("ok") and isinstance(caches["default"], FailSoftRedisCache):
            parts["cache"] = CACHE_DEGRADED
        if "broker" not in parts:
            # In-process tasks (the embedded default) need no broker.
            parts["broker"] = f"ok: {settings.CELERY_BROKER_URL.split(':')[0]} (in-process)"
        failing = sorted(name for name, state in parts.items() if state.startswith("error"))
        if not failing:
            # The kept figures are read from the database, so only when it answers.
            figures = await sync_to_async(figures_health)()
            parts["figures"] = ("ok: " if figures.state == "ok" else "warning: ") + figures.detail
            # Beat stopped is a warning too: pages answer; scheduled tasks do not run.
            parts["beat"] = await sync_to_async(beat_health)()
        # A figure that disagrees with its source rows is a warning, not an outage: the pages
        # still answer, and a load balancer must not take the site away for it.
        warnings = sorted(name for name, state in parts.items() if state.startswith(("warning", "degraded")))
        degraded = any(state.startswith("degraded") for state in parts.values())
        body = {
            "status": "error" if failing else ("degraded" if degraded else "warning" if warnings else "ok"),
            "failing": failing,
            "warnings": warnings,
            "checks": parts,
        }
        return JsonResponse(body, status=503 if failing else 200)
