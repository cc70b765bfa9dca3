"""National SEN percentages from the DfE's "Special educational needs in England" (explore
education statistics), in place of the typed-in national averages.

Its data file "Pupils in all schools, by type of SEN provision" has one row per year, area
(national, regional, LA), phase and school type: time_period (202425), time_identifier,
geographic_level, country_code, ..., old_la_code, la_name, new_la_code, phase_type_grouping
("State-funded primary"), type_of_establishment, hospital_school, total_pupils, sen_support,
ehc_plan, sen_support_percent, ehc_plan_percent. The portal keeps the national figures of the
latest year for state-funded primary and secondary schools (the phases its dashboards compare
with); a file's regional and LA rows are read past."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction

from core.numbers import ONE_PLACE, pct

from .models import NationalAverage

TITLE = "Special educational needs in England"
SOURCE = f"{TITLE} (DfE, explore education statistics)"
# The columns that tell this publication's file from any other.
SIGNATURE = frozenset(
    {"time_period", "geographic_level", "phase_type_grouping", "ehc_plan_percent", "sen_support_percent"}
)
PHASES = {"state-funded primary": "primary", "state-funded secondary": "secondary"}
COUNTS = ("total_pupils", "ehc_plan", "sen_support")


class PublishedFileError(Exception):
    """The file is this publication's but cannot be used; the message says why."""


def matches(header: list[str]) -> bool:
    return set(header) >= SIGNATURE


def year_label(time_period: str) -> str:
    """202425 -> "2024/25"; a calendar year stays as it is."""
    if len(time_period) == 6 and time_period.isdigit():
        return f"{time_period[:4]}/{time_period[4:]}"
    return time_period


@dataclass(frozen=True)
class NationalFigures:
    phase: str
    year: str
    ehcp_pct: Decimal
    sen_support_pct: Decimal
    total_send_pct: Decimal
    pupils: int | None


def _number(row: dict, column: str, line: int) -> Decimal:
    text = row.get(column, "").replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PublishedFileError(
            f'line {line}: {column} is "{text}", not a number (the publication writes x, z or c '
            "for figures it does not give)"
        ) from None
    if value < 0:
        raise PublishedFileError(f"line {line}: {column} is negative")
    return value


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal:
    share = pct(part, whole)
    assert share is not None  # read() refuses a phase with no pupils first
    return share


def read(header: list[str], rows: list[tuple[int, dict[str, str]]]) -> list[NationalFigures]:
    """The national figures of the file's latest year for primary and secondary schools."""
    national = [
        (line, r)
        for line, r in rows
        if r["geographic_level"].lower() == "national" and r["phase_type_grouping"].lower() in PHASES
    ]
    if not national:
        raise PublishedFileError(
            "The file has no national rows for state-funded primary or secondary schools."
        )
    year = max(r["time_period"] for _, r in national)
    national = [(line, r) for line, r in national if r["time_period"] == year]
    # Rows already totalled over school types and hospital schools are used when there are any.
    for column in ("type_of_establishment", "hospital_school"):
        if column in header and any(r[column].lower() == "total" for _, r in national):
            national = [(line, r) for line, r in national if r[column].lower() == "total"]
    out = []
    for phase_name, phase in PHASES.items():
        lines = [(line, r) for line, r in national if r["phase_type_grouping"].lower() == phase_name]
        if not lines:
            raise PublishedFileError(
                f"The file has no national figures for {phase_name} schools in {year_label(year)}."
            )
        has_counts = all(c in header for c in COUNTS)
        if len(lines) == 1 and not has_counts:
            line, r = lines[0]
            ehcp_pct, k_pct = _number(r, "ehc_plan_percent", line), _number(r, "sen_support_percent", line)
            out.append(
                NationalFigures(
                    phase,
                    year_label(year),
                    _half_up(ehcp_pct),
                    _half_up(k_pct),
                    _half_up(ehcp_pct + k_pct),
                    None,
                )
            )
            continue
        if not has_counts:
            raise PublishedFileError(
                f"The file has {len(lines)} national rows for {phase_name} schools in "
                f"{year_label(year)} and no {', '.join(COUNTS)} columns to add them up."
            )
        pupils = sum(int(_number(r, "total_pupils", line)) for line, r in lines)
        ehcp = sum(int(_number(r, "ehc_plan", line)) for line, r in lines)
        k = sum(int(_number(r, "sen_support", line)) for line, r in lines)
        if not pupils or ehcp + k > pupils:
            raise PublishedFileError(
                f"The national counts for {phase_name} schools in "
                f"{year_label(year)} do not add up ({pupils} pupils)."
            )
        out.append(
            NationalFigures(
                phase,
                year_label(year),
                _share(ehcp, pupils),
                _share(k, pupils),
                _share(ehcp + k, pupils),
                pupils,
            )
        )
    return out


def describe(figures: list[NationalFigures]) -> list[str]:
    current = {n.phase: n for n in NationalAverage.objects.all()}
    out = []
    for f in figures:
        was = current.get(f.phase)
        before = (
            (
                f" (was {was.ehcp_pct}% / {was.sen_support_pct}% / {was.total_send_pct}%"
                f"{', ' + was.year if was.year else ''})"
            )
            if was
            else " (new)"
        )
        out.append(
            f"National {f.phase}, {f.year}: EHC plans {f.ehcp_pct}%, SEN support "
            f"{f.sen_support_pct}%, total {f.total_send_pct}%{before}"
        )
    return out


def national_averages_replace(*, actor, figures: list[NationalFigures]) -> int:
    """Put the published national figures in place of the current ones, with their source
    and year. Returns how many phases changed."""
    changed = 0
    with transaction.atomic():
        for f in figures:
            values = {
                "ehcp_pct": f.ehcp_pct,
                "sen_support_pct": f.sen_support_pct,
                "total_send_pct": f.total_send_pct,
                "source": SOURCE,
                "year": f.year,
            }
            row = NationalAverage.objects.filter(phase=f.phase).first()
            if row is not None and all(getattr(row, k) == v for k, v in values.items()):
                continue
            NationalAverage.objects.update_or_create(phase=f.phase, defaults=values)
            changed += 1
    return changed
