"""Percentages, money and small counts, each rule written once.

Percentages are computed from counts (or hours) and rounded half-up to one decimal place;
group figures are sums of counts, never averages of percentages. Counts from 1 to 4 are shown
as "fewer than 5" wherever a figure is broken down below school level for a reader who may
not see pupils (REPORTS_SMALL_COUNT_THRESHOLD)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

ONE_PLACE = Decimal("0.1")
PENNY = Decimal("0.01")


def pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole as a percentage, half-up to one decimal place (None when whole is 0)."""
    if not whole:
        return None
    if type(part) is int and type(whole) is int and part >= 0 and whole > 0:
        # Counts, in whole numbers: tenths of a percent rounded half-up exactly, several times
        # faster than Decimal division (a dashboard works out a few thousand of these).
        return Decimal((2000 * part + whole) // (2 * whole)).scaleb(-1)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def pct_text(value: Decimal | None) -> str:
    """12.3% in a sentence, "–" for none."""
    return "–" if value is None else f"{value}%"


def counted(count: int, one: str, many: str | None = None) -> str:
    """ "1 claim", "1,204 claims": a count with its noun in the right number."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def money(value: Decimal | int | None) -> str:
    """£1,234.50, −£12.00 for a negative amount, "–" for none."""
    if value is None:
        return "–"
    amount = Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    return f"{'−' if amount < 0 else ''}£{abs(amount):,.2f}"


def small_count_threshold() -> int:
    return settings.REPORTS_SMALL_COUNT_THRESHOLD


@dataclass(frozen=True)
class Count:
    """A count that prints as "fewer than 5" when it is small and must be suppressed, or as
    "withheld" when it would give a suppressed count away (a total next to one hidden part)."""

    value: int
    suppressed: bool = False
    withheld: bool = False

    def __str__(self) -> str:
        if self.withheld:
            return "withheld"
        return f"fewer than {small_count_threshold()}" if self.suppressed else f"{self.value:,}"

    @property
    def hidden(self) -> bool:
        return self.suppressed or self.withheld

    @classmethod
    def of(cls, value: int, suppress: bool) -> Count:
        return cls(value, suppress and 0 < value < small_count_threshold())
