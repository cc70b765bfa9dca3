"""A cache Redis that hangs (SIGSTOP: the port still accepts connections, nothing answers):
pages answer within 1.5 s, /healthz says the cache is degraded, and once Redis answers again
the cache uses it after the circuit breaker's interval. The Celery broker stays on the machine's
Redis: its outage is another test's (test_redis_down)."""

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.core.cache import cache, caches
from django.db import connections
from django.test import Client

from reports.tests.conftest import make_reference
from send_portal.cache import FailSoftRedisCache
from trusts.models import School
from trusts.tests.factories import TEST_PASSWORD, executive, head_of_send

from .conftest import forget_caches, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BREAKER_SECONDS = 2


def get_healthz(client):
    # /healthz is an async view: a thread of its own keeps it clear of any running event loop.
    def get():
        try:
            return client.get("/healthz")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(get).result()


@pytest.fixture
def cache_on(settings):
    """Point only the cache (not the broker) at a Redis URL; restored afterwards."""

    def point(url: str) -> None:
        settings.CACHES = {alias: {**config, "LOCATION": url} for alias, config in settings.CACHES.items()}
        forget_caches()

    yield point
    forget_caches()


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_a_hung_cache_redis_slows_no_page_healthz_says_degraded_and_the_cache_recovers(
    client, own_redis, cache_on, settings
):
    settings.CACHE_CIRCUIT_BREAKER_SECONDS = BREAKER_SECONDS
    reference = make_reference(previous=False)
    user = head_of_send(reference.assisi, reference.christus)
    signing_in = executive(reference.assisi)
    laestab = School.objects.filter(trust=reference.assisi).order_by("laestab").first().laestab
    cache_on(own_redis.url())
    assert isinstance(caches["default"], FailSoftRedisCache)
    client.force_login(user)  # sessions live in the database, not in the cache
    pages = (
        "/",
        f"/pupils/schools/{laestab}/register/",
        "/reports/trusts/assisi-catholic-trust/",
        f"/reports/schools/{laestab}/",
        "/reports/cross-trust/",
    )
    for url in pages:
        assert client.get(url).status_code == 200, url  # warm: templates, first queries

    os.kill(own_redis.proc.pid, signal.SIGSTOP)
    try:
        # Signing in touches the cache (allauth's rate limits) before any page does.
        response, seconds = timed(
            lambda: Client().post("/accounts/login/", {"login": signing_in.email, "password": TEST_PASSWORD})
        )
        assert response.status_code == 302 and response["Location"] == "/"
        assert seconds < 1.5, f"signing in took {seconds:.2f} s with the cache's Redis hung"
        for url in pages:
            response, seconds = timed(lambda url=url: client.get(url))
            assert response.status_code == 200, url
            assert seconds < 1.5, f"{url} took {seconds:.2f} s with the cache's Redis hung"
        # The cache itself answers from memory, at once, while the breaker is open.
        _, seconds = timed(lambda: cache.set("hung-probe", 1))
        assert seconds < 0.5 and cache.get("hung-probe") == 1

        health, seconds = timed(lambda: get_healthz(client))
        assert seconds < 1.5, f"/healthz took {seconds:.2f} s"
        body = health.json()
        assert health.status_code == 200, body
        assert body["status"] == "degraded"
        assert body["checks"]["cache"].startswith("degraded")
        assert "cache" in body["warnings"] and body["failing"] == []
        assert body["checks"]["database"] == "ok"
    finally:
        os.kill(own_redis.proc.pid, signal.SIGCONT)

    # Redis answers again: after the breaker's interval the cache writes to Redis once more.
    direct = redis.Redis.from_url(own_redis.url(), socket_timeout=2)

    def written_to_redis():
        cache.set("recovered", "yes")
        return any(b"recovered" in key for key in direct.keys("*"))

    wait_for(written_to_redis, BREAKER_SECONDS + 5, "the cache to use Redis again", interval=0.25)
    assert cache.get("recovered") == "yes"
    health = get_healthz(client).json()
    assert health["checks"]["cache"] == "ok"
    assert health["status"] in ("ok", "warning")  # the kept figures may not have been checked
