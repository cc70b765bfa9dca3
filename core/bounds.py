"""What the domain allows of a date, a sum of money and a text, in one place. Forms (core.forms,
core.date_input), file imports and services read these; a value outside them is refused with a
message saying what is allowed, before it can reach the database or block later records (an
award to 31 December 9999 would have blocked every later award)."""

from __future__ import annotations

import datetime
from decimal import Decimal

# No record of a pupil now at school, or of their SEN history, is older than this.
EARLIEST_DATE = datetime.date(1990, 1, 1)
# Plans, awards and reviews are dated a few years ahead at most.
YEARS_AHEAD = 10
# A sum of money: far above any SEND top-up, claim or payment, below the columns' 10 digits.
MAX_MONEY = Decimal("9999999.99")
# Texts: a line (a name, a title, a reference) and a long text (notes, views, evidence).
LINE_MAX = 500
TEXT_MAX = 20_000


def latest_date(today: datetime.date | None = None) -> datetime.date:
    today = today or datetime.date.today()
    return datetime.date(today.year + YEARS_AHEAD, 12, 31)


def date_problem(
    value: datetime.date,
    label: str,
    *,
    earliest: datetime.date | None = None,
    latest: datetime.date | None = None,
) -> str | None:
    """None, or the message for a date outside what the domain allows."""
    earliest = earliest or EARLIEST_DATE
    latest = latest or latest_date()
    if value < earliest:
        return f"{label} must be on or after {earliest:%-d %B %Y}"
    if value > latest:
        return f"{label} must be on or before {latest:%-d %B %Y}"
    return None


def money_problem(value: Decimal, label: str) -> str | None:
    if not value.is_finite() or abs(value) > MAX_MONEY:
        return f"{label} must be £{MAX_MONEY:,.2f} or less"
    return None
