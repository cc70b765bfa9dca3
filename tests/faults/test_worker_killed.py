"""A worker killed with SIGKILL mid-render: the unacknowledged task is delivered again to a new
worker (acks_late, broker visibility timeout) and exactly one PDF and one ready pack result."""

import pytest

from reports import services
from reports.models import BoardPack
from reports.tests.conftest import make_reference
from trusts.tests.factories import executive

from .conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Seconds; in production an hour, and workers look for lost messages every 100 s.
FAST_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": 3,
    "CELERY_UNACKED_RESTORE_INTERVAL": 1,
    "CELERY_UNACKED_RESTORE_THROTTLE": 1,
}


def test_a_worker_killed_mid_render_has_its_task_redelivered_and_one_pdf_results(
    own_redis, use_redis, workers, media_root, tmp_path
):
    reference = make_reference(previous=False)
    user = executive(reference.christus)
    use_redis(own_redis.url())
    media_root.mkdir(parents=True, exist_ok=True)
    first = workers(
        own_redis.url(),
        media_root,
        tmp_path / "first.log",
        "faults-first",
        REPORTS_TEST_RENDER_DELAY=120,
        **FAST_REDELIVERY,
    )
    pack = services.board_pack_request(
        actor=user, trust=reference.christus, census_date=None, idempotency_key="k" * 32
    )

    def status():
        pack.refresh_from_db()
        return pack.status

    wait_for(lambda: status() == BoardPack.Status.RENDERING, 30, "the render to start")
    first.kill()
    assert status() == BoardPack.Status.RENDERING and pack.attempts == 1
    assert not any(media_root.rglob("*.pdf"))

    second = workers(own_redis.url(), media_root, tmp_path / "second.log", "faults-second", **FAST_REDELIVERY)
    wait_for(
        lambda: status() in (BoardPack.Status.READY, BoardPack.Status.FAILED),
        60,
        "the redelivered task to finish",
    )
    assert pack.status == BoardPack.Status.READY, pack.error
    assert pack.attempts == 2  # the killed attempt and the redelivered one
    assert "render_board_pack[" in second.log() and "succeeded" in second.log()
    files = [p for p in media_root.rglob("*") if p.is_file()]
    assert files == [media_root / pack.file_path]
    assert files[0].read_bytes().startswith(b"%PDF")
    assert BoardPack.objects.filter(status=BoardPack.Status.READY).count() == 1
