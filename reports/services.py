"""Writes of the reports app: requesting, rendering and failing board packs."""

from __future__ import annotations

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from trusts import access
from trusts.access import Capability
from trusts.models import Trust, User

from . import pdf, sections
from .models import BoardPack

log = logging.getLogger(__name__)

# What enqueueing raises when the broker does not answer.
BROKER_ERRORS = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)

QUEUE_UNAVAILABLE = (
    "The board pack could not be requested because the report queue is not answering just now. "
    "Nothing has been requested: please try again in a few minutes."
)


class BoardPackQueueUnavailable(Exception):
    """The broker is down: the request is refused and nothing is stored."""


def _packs():
    # Writes address packs by id after the access check; DISTINCT (see the model's manager)
    # cannot be combined with FOR UPDATE or DELETE.
    return BoardPack._base_manager


def board_pack_request(
    *, actor: User, trust: Trust, census_date: datetime.date | None, idempotency_key: str
) -> BoardPack:
    """Record a request for a pack and enqueue its rendering once the row is committed.
    The same key twice returns the first pack; a broker that is down refuses the request."""
    if not access.can_in_trust(actor, Capability.REQUEST_BOARD_PACK, trust):
        raise PermissionDenied
    existing = _packs().filter(idempotency_key=idempotency_key, trust=trust).first()
    if existing is not None:
        return existing
    from . import tasks  # the task module imports this one

    start, end = sections.financial_year_to_date()
    pack = None
    try:
        with transaction.atomic():
            pack = _packs().create(
                trust=trust, census_date=census_date, period_start=start, period_end=end,
                requested_by=actor, idempotency_key=idempotency_key,
            )
            tasks.render_board_pack.delay_on_commit(pack.pk)
    except IntegrityError:
        # A concurrent request with the same key won the race.
        return _packs().get(idempotency_key=idempotency_key)
    except BROKER_ERRORS as exc:
        log.warning("Board pack %s not queued: broker unavailable (%s)", pack and pack.pk, exc)
        if pack is not None:
            _packs().filter(pk=pack.pk).delete()
        raise BoardPackQueueUnavailable(QUEUE_UNAVAILABLE) from exc
    return pack


def board_pack_file(pack: BoardPack) -> Path | None:
    """The pack's file if it is ready and on disk, never a path outside MEDIA_ROOT."""
    if pack.status != BoardPack.Status.READY or not pack.file_path:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / pack.file_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def board_pack_render(*, pack_id: int) -> BoardPack:
    """Render a pack and store it (idempotent: a pack already rendered is left alone).
    The file is written under a temporary name and renamed into place atomically."""
    with transaction.atomic():
        pack = _packs().select_for_update().select_related("trust").get(pk=pack_id)
        if pack.status == BoardPack.Status.READY and board_pack_file(pack) is not None:
            return pack
        pack.status = BoardPack.Status.RENDERING
        pack.started_at = timezone.now()
        pack.attempts += 1
        pack.error = ""
        pack.save(update_fields=["status", "started_at", "attempts", "error"])
    content = pdf.render_pdf(pack.trust, pack.census_date, (pack.period_start, pack.period_end))
    relative = Path(settings.REPORTS_BOARD_PACK_DIR) / pack.trust.slug / f"board-pack-{pack.pk}.pdf"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    _packs().filter(pk=pack.pk).update(
        status=BoardPack.Status.READY, file_path=str(relative), file_size=len(content),
        finished_at=timezone.now(), error="",
    )
    pack.refresh_from_db()
    return pack


def board_pack_retrying(*, pack_id: int, error: str) -> None:
    _packs().filter(pk=pack_id).exclude(status=BoardPack.Status.READY).update(
        status=BoardPack.Status.QUEUED, error=f"Trying again after an error: {error}"
    )


def board_pack_fail(*, pack_id: int, error: str) -> None:
    _packs().filter(pk=pack_id).exclude(status=BoardPack.Status.READY).update(
        status=BoardPack.Status.FAILED, error=error, finished_at=timezone.now()
    )
