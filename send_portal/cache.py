"""Redis caches: one client per connection pool, and a cache that keeps pages working when
Redis is down or hung.

Django's RedisCache raises on a connection error, so every page that touches the cache (rate
limits, import progress) would answer 500 while Redis is stopped; and a Redis that accepts
connections but never answers (a stopped process, a full network buffer) would hold each cache
call for the whole socket timeout. This backend answers from a small per-process memory cache
instead and logs the outage (at most once a minute). Its socket timeouts are short (settings:
CACHE_REDIS_TIMEOUT), and after a failure a circuit breaker sends every call straight to memory
for CACHE_CIRCUIT_BREAKER_SECONDS; then one call tries Redis again, and when it answers Redis is
used again. Nothing that sign-in security depends on is kept here: failed attempts and used TOTP
codes are in PostgreSQL (trusts.models.SignInFailure, UsedTotpCode). /healthz reports the cache
as degraded while the breaker is open or Redis does not answer (see send_portal.health)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
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
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
        )
        self._last_warning = 0.0
        # The circuit breaker, per process: while monotonic() is before _skip_until, calls go
        # to memory without touching Redis. Web servers run requests in threads, hence the lock.
        self._breaker = threading.Lock()
        self._skip_until = 0.0
        self._tripped = False

    def redis_skipped(self) -> bool:
        """True while the breaker is open (Redis failed within the breaker's interval)."""
        with self._breaker:
            return self._tripped and time.monotonic() < self._skip_until

    def _use_redis(self) -> bool:
        with self._breaker:
            if not self._tripped:
                return True
            now = time.monotonic()
            if now < self._skip_until:
                return False
            # The interval has passed: this call tries Redis; the others keep to memory until
            # it answers (or fails and opens the breaker again).
            self._skip_until = now + breaker_seconds()
            return True

    def _redis_answered(self) -> None:
        if self._tripped:
            with self._breaker:
                if self._tripped:
                    self._tripped = False
                    log.warning("Cache Redis answers again; using it")

    def _redis_down(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        with self._breaker:
            self._tripped = True
            self._skip_until = now + breaker_seconds()
            warn = now - self._last_warning >= WARN_EVERY_SECONDS
            if warn:
                self._last_warning = now
        if warn:
            log.warning(
                "Cache Redis unavailable (%s: %s); using the in-process cache for %s s",
                operation,
                type(exc).__name__,
                breaker_seconds(),
            )


def breaker_seconds() -> float:
    return float(getattr(settings, "CACHE_CIRCUIT_BREAKER_SECONDS", 30))


def _fail_soft(name: str):
    def method(self, *args, **kwargs):
        if not self._use_redis():
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except REDIS_DOWN as exc:
            self._redis_down(name, exc)
            return getattr(self._fallback, name)(*args, **kwargs)
        self._redis_answered()
        return result

    method.__name__ = name
    method.__doc__ = (
        f"RedisCache.{name}, answered from memory when Redis is down, hung, or "
        "failed within the circuit breaker's interval."
    )
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FailSoftRedisCache, _name, _fail_soft(_name))
