"""Every funding figure, as pure functions on Decimal (no database, no floats).

Rules, stated once:
* Financial years run 1 April to 31 March and are named by the year they start in
  (2025 = 2025-26).
* Expected income for a period is the awarded band's annual value pro-rated by days: for each
  day of the award inside the period, annual value / number of days in THAT financial year
  (365, or 366 when the year contains 29 February). A period that crosses 31 March uses each
  year's own table for its own days. Both ends of a period are included.
* Rounding: half-up to the penny, once, at the end of a calculation (the expected income of one
  claim over a period, the cost of one pupil's provision). Totals are sums of those rounded
  figures, so the lines of a table add up to its total. Differences (shortfall, gap) of pence
  figures need no rounding.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# The financial year is core's rule; funding reads it as calc.financial_year_*.
from core.years import financial_year_bounds, financial_year_label  # noqa: F401
from core.years import financial_year_start as financial_year_of

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


class MissingBandingTable(LookupError):
    """No table of the LA for a financial year the award runs into."""


def round_pence(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def days_in_financial_year(year: int) -> int:
    start, end = financial_year_bounds(year)
    return (end - start).days + 1


@dataclass(frozen=True)
class AwardTerms:
    """What the calculation needs of an award: its dates and the annual value of its band in
    each financial year's table ({2025: Decimal("4120"), 2026: ...})."""

    start: datetime.date
    end: datetime.date | None
    annual_values: Mapping[int, Decimal]


def _award_income_unrounded(
    award: AwardTerms, period_start: datetime.date, period_end: datetime.date
) -> Decimal:
    start = max(award.start, period_start)
    end = min(award.end, period_end) if award.end else period_end
    total = Decimal(0)
    while start <= end:
        year = financial_year_of(start)
        _, year_end = financial_year_bounds(year)
        chunk_end = min(end, year_end)
        days = (chunk_end - start).days + 1
        try:
            value = Decimal(award.annual_values[year])
        except KeyError:
            raise MissingBandingTable(f"No banding table for {financial_year_label(year)}.") from None
        total += value * days / days_in_financial_year(year)
        start = chunk_end + datetime.timedelta(days=1)
    return total


def expected_income(
    awards: Iterable[AwardTerms], period_start: datetime.date, period_end: datetime.date
) -> Decimal:
    """Income expected from the awards of one claim between two dates (both included),
    rounded half-up to the penny at the end."""
    if period_end < period_start:
        return ZERO
    total = sum((_award_income_unrounded(a, period_start, period_end) for a in awards), Decimal(0))
    return round_pence(total)


def shortfall(expected: Decimal, received: Decimal) -> Decimal:
    """Expected minus received: positive when the LA has paid less than it owes."""
    return expected - received


def hourly_cost(hourly_rate: Decimal, on_cost_percent: Decimal) -> Decimal:
    """The cost of one hour including on-costs, to the penny (for display)."""
    return round_pence(hourly_rate * (1 + on_cost_percent / HUNDRED))


def provision_annual_cost(
    *,
    hours_per_week: Decimal,
    weeks_per_year: Decimal,
    hourly_rate: Decimal,
    on_cost_percent: Decimal,
) -> Decimal:
    """hours x weeks x rate x (1 + on-costs), rounded half-up to the penny once, at the end."""
    return round_pence(hours_per_week * weeks_per_year * hourly_rate * (1 + on_cost_percent / HUNDRED))


def funding_gap(cost: Decimal, funding: Decimal) -> Decimal:
    """Cost of the provision minus the top-up funding for it: positive when funding falls short."""
    return cost - funding


def above_threshold(cost: Decimal, threshold: Decimal) -> bool:
    return cost > threshold
