"""Redis caches: one client per connection pool, and a cache that keeps pages working when
Redis is down.

Django's RedisCache raises on a connection error, so every page that touches the cache (rate
limits, used TOTP codes, import progress) would answer 500 while Redis is stopped. This backend
answers from a small per-process memory cache instead and logs the outage (at most once a
minute); when Redis answers again it is used again. /healthz still reports the cache as failing
because it asks Redis itself (see send_portal.health)."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    """Django's client makes a new redis.Redis for every cache operation, and redis-py's
    constructor fills a table of some 170 response callbacks each time: 0.065 ms here, a few
    milliseconds for a dashboard that makes fifty cache operations. Here one client per
    connection pool serves every operation (a redis.Redis is thread-safe: it takes a connection from the
    pool for each command, and the pool starts afresh in a forked process)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """Django's RedisCache with one client per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.location = server
        self._fallback = LocMemCache(
            f"fail-soft:{server}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", ""),
             "OPTIONS": {"MAX_ENTRIES": 5000}},
        )
        self._last_warning = 0.0

    def _redis_down(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning("Cache Redis unavailable (%s: %s); using the in-process cache",
                        operation, type(exc).__name__)


def _fail_soft(name: str):
    def method(self, *args, **kwargs):
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except REDIS_DOWN as exc:
            self._redis_down(name, exc)
            return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}, answered from memory when Redis is down."
    return method


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
              "delete_many", "clear"):
    setattr(FailSoftRedisCache, _name, _fail_soft(_name))
