"""The project's Redis cache backends (send_portal.cache)."""

import threading
import time

from django.conf import settings
from django.core.cache import caches

from send_portal import cache as cache_module
from send_portal.cache import FailSoftRedisCache, RedisCache


def test_one_redis_client_serves_every_operation_of_a_cache():
    cache = caches["default"]
    assert isinstance(cache, RedisCache), settings.CACHES["default"]["BACKEND"]
    cache.set("answer", {"value": 42})
    assert cache.get("answer") == {"value": 42}
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.delete("answer")
    assert cache.get("answer") is None
    assert cache._cache.get_client() is client


UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def fail_soft_cache(location: str = UNREACHABLE_REDIS):
    return FailSoftRedisCache(
        location,
        {"KEY_PREFIX": "breaker-test", "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}},
    )


def test_after_a_redis_failure_the_cache_skips_redis_until_the_breaker_interval_passes(settings, monkeypatch):
    settings.CACHE_CIRCUIT_BREAKER_SECONDS = 30
    fail_soft = fail_soft_cache()
    calls = []
    real_get = cache_module.RedisCache.get
    monkeypatch.setattr(
        cache_module.RedisCache, "get", lambda self, *a, **kw: calls.append(a) or real_get(self, *a, **kw)
    )
    fail_soft.set("k", "v")  # fails over to memory and opens the breaker
    assert fail_soft.redis_skipped()
    for _ in range(20):
        assert fail_soft.get("k") == "v"
    assert calls == []  # Redis not asked once while the breaker is open

    now = time.monotonic()
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now + 31)
    assert not fail_soft.redis_skipped()
    assert fail_soft.get("k") == "v"  # one call tries Redis again, fails, opens the breaker
    assert len(calls) == 1 and fail_soft.redis_skipped()


def test_the_breaker_closes_when_redis_answers_again(settings, monkeypatch):
    fail_soft = fail_soft_cache(settings.CACHES["default"]["LOCATION"])
    fail_soft._redis_down("get", ConnectionError())  # as if Redis had just failed
    assert fail_soft.redis_skipped()
    later = time.monotonic() + settings.CACHE_CIRCUIT_BREAKER_SECONDS + 1
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: later)
    fail_soft.set("back", 1)
    assert not fail_soft.redis_skipped() and not fail_soft._tripped
    assert fail_soft.get("back") == 1
    fail_soft.delete("back")


def test_threads_share_one_breaker_and_only_one_of_them_tries_redis_again(settings, monkeypatch):
    fail_soft = fail_soft_cache()
    fail_soft._redis_down("get", ConnectionError())
    later = time.monotonic() + settings.CACHE_CIRCUIT_BREAKER_SECONDS + 1
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: later)
    tried = []
    barrier = threading.Barrier(8)

    def call():
        barrier.wait()
        tried.append(fail_soft._use_redis())

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(tried) == [False] * 7 + [True]
