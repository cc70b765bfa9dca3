"""Celery tasks of the reports app: thin wrappers that take ids and call a service."""

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django_scopes import scopes_disabled

from . import figures_check, pdf, services
from .models import BoardPack

log = logging.getLogger(__name__)


@worker_process_init.connect
def _load_the_pdf_renderer(**_kwargs) -> None:
    # Each worker process, once, when it starts: its first board pack is then as quick as the
    # next ones. Only an optimisation: a failure must not stop the worker.
    try:
        pdf.warm_up()
    except Exception:  # noqa: BLE001
        log.warning("Could not warm up the PDF renderer", exc_info=True)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REPORTS_BOARD_PACK_MAX_RETRIES,
    # Below the broker's visibility timeout, so a slow pack is never delivered twice.
    time_limit=settings.REPORTS_BOARD_PACK_TIME_LIMIT,
    soft_time_limit=settings.REPORTS_BOARD_PACK_TIME_LIMIT - 30,
)
def render_board_pack(self, pack_id: int) -> None:
    """Render one board pack. Acts on an id already authorised when the pack was requested."""
    with scopes_disabled():
        try:
            services.board_pack_render(pack_id=pack_id)
        except BoardPack.DoesNotExist:
            log.warning("Board pack %s no longer exists", pack_id)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
            if self.request.is_eager or self.request.retries >= self.max_retries:
                log.exception("Board pack %s failed", pack_id)
                services.board_pack_fail(
                    pack_id=pack_id,
                    error="The board pack could not be produced. Try again; if "
                    f"it fails again, report this error: {error}",
                )
                return
            services.board_pack_retrying(pack_id=pack_id, error=error)
            raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc


@shared_task(name="reports.requeue_waiting_board_packs")
def requeue_waiting_board_packs() -> int:
    """Periodic (beat): send again packs requested while the job service was down."""
    with scopes_disabled():
        return len(services.board_pack_requeue_waiting())


@shared_task(name="reports.verify_figures", acks_late=True, time_limit=settings.REPORTS_BOARD_PACK_TIME_LIMIT)
def verify_figures() -> int:
    """Daily (beat): every kept figure recomputed from its source rows and compared with the
    summary rows (reports.figures_check); the result is stored for /healthz. Read-only and
    idempotent, so running it twice is harmless. Returns the number of differences."""
    with scopes_disabled():
        return len(figures_check.figures_verify().differences)
