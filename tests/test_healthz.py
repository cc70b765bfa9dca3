import contextlib
import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone

from reports.models import FiguresCheck
from send_portal.heartbeat import heartbeat_record
from send_portal.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthz_is_200_when_database_cache_and_broker_answer(client, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    FiguresCheck.objects.create(differences=[])
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "figures", "beat"}
    assert all(state.startswith("ok") for state in body["checks"].values())


def test_healthz_warns_when_kept_figures_differ_from_their_source_rows(client):
    FiguresCheck.objects.create(differences=["funding: school 8833001 2026-27 received 10 != 12"])
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "warning" and body["warnings"] == ["figures"]
    assert "1 kept figures differ" in body["checks"]["figures"]


def test_healthz_warns_when_the_figures_have_not_been_verified_for_two_days(client):
    check = FiguresCheck.objects.create(differences=[])
    FiguresCheck.objects.filter(pk=check.pk).update(checked_at=timezone.now() - datetime.timedelta(hours=49))
    body = client.get("/healthz").json()
    assert body["status"] == "warning"
    assert body["checks"]["figures"].startswith("warning: figures not verified within 2 days")


def test_healthz_warns_when_no_scheduled_task_has_run_for_two_minutes(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker and beat are expected
    FiguresCheck.objects.create(differences=[])
    heartbeat_record(timezone.now() - datetime.timedelta(seconds=121))
    response = client.get("/healthz")
    assert response.status_code == 200  # pages still answer: a warning, not an outage
    body = response.json()
    assert body["status"] == "warning" and body["warnings"] == ["beat"]
    assert "celery beat or the Celery worker is not running" in body["checks"]["beat"]


def test_healthz_warns_when_beat_has_never_run(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    body = client.get("/healthz").json()
    assert body["checks"]["beat"].startswith("warning: ") and "(never)" in body["checks"]["beat"]


def test_the_heartbeat_task_beat_sends_every_minute_clears_the_warning(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    heartbeat_record(timezone.now() - datetime.timedelta(hours=5))
    beat_heartbeat()
    beat_heartbeat()  # one row, moved on
    assert client.get("/healthz").json()["checks"]["beat"].startswith("ok: last heartbeat")
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == beat_heartbeat.name]
    assert entry["schedule"] <= 60 < settings.BEAT_HEARTBEAT_MAX_AGE_SECONDS


def test_healthz_expects_no_beat_when_tasks_run_in_process(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default (make run)
    assert client.get("/healthz").json()["checks"]["beat"] == "ok: tasks run in-process (no beat)"


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


def test_healthz_says_degraded_not_failing_while_only_the_fail_soft_cache_is_unreachable(client, settings):
    FiguresCheck.objects.create(differences=[])
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "send_portal.cache.FailSoftRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        },
    }
    caches._settings = None
    with contextlib.suppress(AttributeError, KeyError):
        del caches["default"]
    try:
        response = client.get("/healthz")
        body = response.json()
        assert response.status_code == 200, body
        assert body["status"] == "degraded"
        assert body["checks"]["cache"].startswith("degraded")
        assert body["warnings"] == ["cache"] and body["failing"] == []
        assert body["checks"]["broker"] == "ok"
        # While the breaker is open (a page's cache call failed) the answer needs no wait.
        caches["default"].get("anything")
        assert client.get("/healthz").json()["checks"]["cache"].startswith("degraded")
    finally:
        caches._settings = None
        with contextlib.suppress(AttributeError, KeyError):
            del caches["default"]
