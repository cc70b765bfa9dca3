"""Reference data for funding: the 2025-26 banding tables of data/reference (the latest each LA
has published), carried forward into every later financial year up to the current one, since
claims need bands of their own year. Create only: a band already there keeps its value (an
admin's correction, an LA's own table imported over the carried-forward rates), so a second
run changes nothing. Loading tables is a banding change, so the kept funding figures are
rebuilt where it moves them (`figures.banding_changed`, through the carry-forward)."""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from trusts.models import LocalAuthority

from . import calculations as calc
from . import figures, services
from .models import Band, BandingScheme, FiguresHorizon

REFERENCE_FILE = Path(settings.BASE_DIR) / "data" / "reference" / "la_banding_2025.csv"
REFERENCE_YEAR = 2025


def load_banding_tables(path: Path = REFERENCE_FILE, financial_year: int = REFERENCE_YEAR) -> int:
    """Load one year's tables (create only: an existing band keeps its value). Returns the
    number of bands in the file."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    las = {la.code: la for la in LocalAuthority.objects.all()}
    order: dict[int, int] = {}
    made = False
    for row in rows:
        la = las.get(int(row["la_code"]))
        if la is None:
            continue
        scheme, _ = BandingScheme.objects.get_or_create(local_authority=la, financial_year=financial_year)
        order[la.code] = order.get(la.code, 0) + 1
        hours = row["hours_per_week"].strip()
        _, created = Band.objects.get_or_create(
            scheme=scheme,
            label=row["band"].strip(),
            defaults={
                "hours_per_week": Decimal(hours) if hours else None,
                "annual_value": Decimal(row["annual_value_gbp"]),
                "order": order[la.code],
            },
        )
        made = made or created
    if made and FiguresHorizon.objects.exists():
        # Bands added under existing claims (a deployment that had none of an LA's table):
        # the schools' expected income may change.
        figures.banding_changed()
    return len(rows)


def load(today: datetime.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    bands = load_banding_tables()
    lines = [f"{bands} bands in the {calc.financial_year_label(REFERENCE_YEAR)} LA banding tables"]
    # No later table is published in the reference data: until one is, each LA's latest rates
    # carry forward, and the funding pages say so.
    carried = services.banding_carry_forward(actor=None, up_to_year=calc.financial_year_of(today))
    carried_years = sorted(
        set(
            BandingScheme.objects.filter(carried_forward_from__isnull=False).values_list(
                "financial_year", flat=True
            )
        )
    )
    if carried_years:
        lines.append(
            f"{calc.financial_year_label(REFERENCE_YEAR)} rates carried forward to "
            f"{', '.join(map(calc.financial_year_label, carried_years))}"
            f"{f' ({carried} new tables)' if carried else ''}"
        )
    # The kept figures reach the current financial year (what the daily beat task does).
    figures.horizon_advance()
    return lines
