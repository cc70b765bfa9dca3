"""Every figure kept in summary rows, rebuilt or verified from its source rows (DESIGN §5).

Each app keeps its own figures and knows how to rebuild and check them (funding.figures,
casework.figures); this module only goes through them in the order of the layers. The
register's snapshots are not here: they are the census itself (the number on roll and the
pupils without SEND are stored nowhere else), not a summary of other rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casework import figures as casework_figures
from funding import figures as funding_figures

from .models import FiguresCheck

KEPT = (("funding", funding_figures), ("casework", casework_figures))


def figures_rebuild() -> dict[str, int]:
    """Every summary row recomputed from the source rows, in one transaction: a reader sees
    the old figures or the new ones, never a mix. Returns the rows written per app."""
    with transaction.atomic():
        return {name: module.rebuild() for name, module in KEPT}


def figures_verify() -> FiguresCheck:
    """Every summary compared with a recomputation; the result is stored for /healthz."""
    differences = [f"{name}: {line}" for name, module in KEPT for line in module.verify()]
    return FiguresCheck.objects.create(differences=differences)


@dataclass(frozen=True)
class FiguresHealth:
    state: str  # "ok", "differences", "not checked"
    detail: str


def figures_health(now: datetime.datetime | None = None) -> FiguresHealth:
    """What /healthz says of the kept figures: the latest check's differences, or that no
    check has run within REPORTS_FIGURES_CHECK_MAX_AGE_HOURS."""
    now = now or timezone.now()
    latest = FiguresCheck.objects.order_by("-checked_at").first()
    max_age = datetime.timedelta(hours=settings.REPORTS_FIGURES_CHECK_MAX_AGE_HOURS)
    if latest is None or now - latest.checked_at > max_age:
        when = "never" if latest is None else f"last on {latest.checked_at:%Y-%m-%d %H:%M}"
        return FiguresHealth("not checked", f"figures not verified within {max_age} ({when})")
    if latest.differences:
        return FiguresHealth(
            "differences",
            f"{len(latest.differences)} kept figures differ from their source rows "
            f"(checked {latest.checked_at:%Y-%m-%d %H:%M}): run manage.py "
            "verify_figures, then rebuild_figures",
        )
    return FiguresHealth("ok", f"verified {latest.checked_at:%Y-%m-%d %H:%M}")
