"""Each LA's published 20-week rate from the DfE's "Education, health and care plans"
(explore education statistics), kept beside the trusts' own EHC timeliness.

Its timeliness data file has one row per calendar year, area and breakdown: time_period
(2024), time_identifier ("Calendar year"), geographic_level ("Local authority"), country_code,
..., new_la_code, old_la_code (881), la_name, breakdown_topic and breakdown ("All EHC plans"),
plans_issued_den and plans_issued_den_ex (new plans issued, with and without those where an
exception to the time limit applied), plans_issued_within_20_weeks, plans_issued_20_weeks_ex,
pc_plans_issued_within_20_weeks, pc_plans_issued_20_weeks_ex, ... Every LA's rows of every year
in the file are kept (by LA code and year); a file's national and regional rows are read past."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from core.numbers import ONE_PLACE

from .models import PublishedTimeliness

TITLE = "Education, health and care plans"
SOURCE = f"{TITLE} (DfE, explore education statistics)"
RATE = "pc_plans_issued_within_20_weeks"
SIGNATURE = frozenset({"time_period", "geographic_level", "old_la_code", "la_name", RATE})
RATE_EX = "pc_plans_issued_20_weeks_ex"
ISSUED = "plans_issued_den"
WITHIN = "plans_issued_within_20_weeks"
ALL_PLANS = {"all ehc plans", "total"}
# How the publication marks a figure it does not give (not applicable, unavailable, suppressed).
NOT_GIVEN = {"x", "z", "c", "u", "low", ""}


class PublishedFileError(Exception):
    """The file is this publication's but cannot be used; the message says why."""


def matches(header: list[str]) -> bool:
    return set(header) >= SIGNATURE


@dataclass(frozen=True)
class LARate:
    la_code: int
    la_name: str
    year: int
    plans_issued: int | None
    within_20_weeks: int | None
    within_20_weeks_pct: Decimal | None
    excluding_exceptions_pct: Decimal | None


def _value(row: dict, column: str, line: int) -> Decimal | None:
    text = row.get(column, "").replace(",", "").strip()
    if text.lower() in NOT_GIVEN:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PublishedFileError(f'line {line}: {column} is "{text}", not a number') from None
    if value < 0 or (column.startswith("pc_") and value > 100):
        raise PublishedFileError(f"line {line}: {column} is {text}, out of range")
    return value


def read(header: list[str], rows: list[tuple[int, dict[str, str]]]) -> list[LARate]:
    out: dict[tuple[int, int], LARate] = {}
    for line, r in rows:
        if r["geographic_level"].lower() != "local authority":
            continue
        if any(c in header and r[c].lower() not in ALL_PLANS for c in ("breakdown_topic", "breakdown")):
            continue
        code, period = r["old_la_code"], r["time_period"]
        if not (code.isdigit() and len(code) == 3):
            raise PublishedFileError(f'line {line}: old_la_code "{code}" is not a 3-digit LA code')
        if not (period.isdigit() and len(period) == 4):
            raise PublishedFileError(f'line {line}: time_period "{period}" is not a calendar year')
        rate = _value(r, RATE, line)
        rate_ex = _value(r, RATE_EX, line) if RATE_EX in header else None
        issued = _value(r, ISSUED, line) if ISSUED in header else None
        within = _value(r, WITHIN, line) if WITHIN in header else None
        key = (int(code), int(period))
        if key in out:
            raise PublishedFileError(f"line {line}: a second row for {r['la_name']} in {period}")
        out[key] = LARate(
            int(code),
            r["la_name"],
            int(period),
            int(issued) if issued is not None else None,
            int(within) if within is not None else None,
            rate.quantize(ONE_PLACE, rounding=ROUND_HALF_UP) if rate is not None else None,
            rate_ex.quantize(ONE_PLACE, rounding=ROUND_HALF_UP) if rate_ex is not None else None,
        )
    if not out:
        raise PublishedFileError("The file has no local authority rows for all EHC plans.")
    return sorted(out.values(), key=lambda r: (r.la_name, r.year))


def describe(rates: list[LARate], la_codes: set[int]) -> list[str]:
    """The years read, and the rates of the portal's own LAs."""
    years = sorted({r.year for r in rates})
    out = [
        f"{len({r.la_code for r in rates}):,} local authorities, "
        f"{years[0]}{'' if len(years) == 1 else ' to ' + str(years[-1])}"
    ]
    for r in rates:
        if r.la_code in la_codes:
            shown = "not published" if r.within_20_weeks_pct is None else f"{r.within_20_weeks_pct}%"
            out.append(f"{r.la_name} ({r.la_code}) {r.year}: new plans within 20 weeks {shown}")
    return out


def published_timeliness_replace(*, actor, rates: list[LARate]) -> int:
    """Keep the published rates, each LA and year once (a year published again replaces the
    earlier figures). Returns how many rows were written or changed."""
    current = {
        (p.la_code, p.year): p for p in PublishedTimeliness.objects.filter(year__in={r.year for r in rates})
    }
    changed = 0
    with transaction.atomic():
        for r in rates:
            values = {
                "la_name": r.la_name,
                "plans_issued": r.plans_issued,
                "within_20_weeks": r.within_20_weeks,
                "within_20_weeks_pct": r.within_20_weeks_pct,
                "excluding_exceptions_pct": r.excluding_exceptions_pct,
                "source": SOURCE,
            }
            row = current.get((r.la_code, r.year))
            if row is not None and all(getattr(row, k) == v for k, v in values.items()):
                continue
            PublishedTimeliness.objects.update_or_create(la_code=r.la_code, year=r.year, defaults=values)
            changed += 1
    return changed
