"""The academic year (1 September to 31 August) and the financial year (1 April to 31 March),
each written once. A year is named by the calendar year in which it began: 2025 for 2025/26
(academic) and 2025-26 (financial). Pure date functions; nothing here reads the database."""

from __future__ import annotations

import datetime as dt

ACADEMIC_YEAR_FIRST_MONTH = 9
FINANCIAL_YEAR_FIRST_MONTH = 4


def academic_year_start(day: dt.date) -> int:
    """The calendar year in which the day's academic year began (2025 for 2025/26)."""
    return day.year if day.month >= ACADEMIC_YEAR_FIRST_MONTH else day.year - 1


def academic_year_first_day(day: dt.date) -> dt.date:
    """1 September of the day's academic year."""
    return academic_year_bounds(academic_year_start(day))[0]


def academic_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    """1 September of `start_year` to 31 August of the next year."""
    return dt.date(start_year, ACADEMIC_YEAR_FIRST_MONTH, 1), dt.date(start_year + 1, 8, 31)


def academic_year_label(start_year: int) -> str:
    """2025 -> "2025/26"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_start(day: dt.date) -> int:
    """The calendar year in which the day's financial year (1 April to 31 March) began."""
    return day.year if day.month >= FINANCIAL_YEAR_FIRST_MONTH else day.year - 1


def financial_year_label(year: int) -> str:
    """2025 -> "2025-26"."""
    return f"{year}-{(year + 1) % 100:02d}"


def financial_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """1 April of `year` to 31 March of the next year."""
    return dt.date(year, FINANCIAL_YEAR_FIRST_MONTH, 1), dt.date(year + 1, 3, 31)


def financial_year_to_date(today: dt.date) -> tuple[dt.date, dt.date]:
    """1 April of the current financial year to today."""
    return financial_year_bounds(financial_year_start(today))[0], today
