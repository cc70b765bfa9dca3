"""Redis (cache and broker) stopped: pages still answer, /healthz names the broker, a board pack
requested meanwhile waits queued with a clear message and is produced once Redis is back."""

from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from reports import services
from reports.models import BoardPack
from reports.tests.conftest import make_reference
from trusts.models import School
from trusts.tests.factories import head_of_send

from .conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def get_healthz(client):
    # /healthz is an async view; a thread of its own keeps it clear of an event loop left
    # running in the main thread by an earlier test (Playwright's).
    def get():
        try:
            return client.get("/healthz")
        finally:
            connections.close_all()  # this thread's connection, or the test database stays in use

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(get).result()


def test_with_redis_stopped_pages_work_and_a_requested_pack_waits_then_renders_when_it_is_back(
    client, own_redis, use_redis, workers, media_root, tmp_path
):
    reference = make_reference(previous=False)
    user = head_of_send(reference.assisi, reference.christus)
    laestab = School.objects.filter(trust=reference.assisi).order_by("laestab").first().laestab
    use_redis(own_redis.url())
    client.force_login(user)  # sessions live in the database
    own_redis.stop()

    for url in (
        "/",
        f"/pupils/schools/{laestab}/register/",
        "/reports/trusts/assisi-catholic-trust/",
        f"/reports/schools/{laestab}/",
        "/reports/cross-trust/",
        "/reports/board-packs/",
    ):
        assert client.get(url).status_code == 200, url

    health = get_healthz(client)
    assert health.status_code == 503
    assert "broker" in health.json()["failing"]
    assert health.json()["checks"]["database"] == "ok"

    response = client.post(
        "/reports/trusts/assisi-catholic-trust/board-packs/", {"idempotency_key": "d" * 32, "census": ""}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "the job service is not answering just now" in page
    assert "waiting for the job service" in page
    pack = BoardPack.objects.get()
    assert pack.status == BoardPack.Status.QUEUED and services.board_pack_is_waiting(pack)
    # Still down: the periodic requeue sends nothing and keeps the pack waiting.
    assert services.board_pack_requeue_waiting() == []

    own_redis.start()
    media_root.mkdir(parents=True, exist_ok=True)
    workers(own_redis.url(), media_root, tmp_path / "worker.log", "faults-redis")
    out = StringIO()
    call_command("requeue_board_packs", stdout=out)
    assert f"Requeued 1 board pack(s): {pack.pk}" in out.getvalue()

    def ready():
        pack.refresh_from_db()
        return pack.is_finished

    wait_for(ready, 60, "the board pack to be rendered")
    assert pack.status == BoardPack.Status.READY, pack.error
    assert (media_root / pack.file_path).read_bytes().startswith(b"%PDF")
    assert get_healthz(client).status_code == 200
    # Sent again (a late beat run): the task leaves a ready pack alone.
    assert services.board_pack_requeue_waiting(older_than=0) == []
