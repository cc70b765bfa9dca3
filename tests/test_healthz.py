import contextlib

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_is_200_when_database_cache_and_broker_answer(client, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(state == "ok" for state in body["checks"].values())


def test_healthz_is_503_naming_redis_parts_when_redis_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }
    caches._settings = None  # let the cache handler read the changed setting
    with contextlib.suppress(AttributeError, KeyError):
        del caches["default"]
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "broker" in body["failing"]
    assert body["checks"]["database"] == "ok"
