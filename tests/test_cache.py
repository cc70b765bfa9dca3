"""The project's Redis cache backends (send_portal.cache)."""

from django.conf import settings
from django.core.cache import caches

from send_portal.cache import RedisCache


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
