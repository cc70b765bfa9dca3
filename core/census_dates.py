"""The school census days, written once (DESIGN §3): the autumn census on the first Thursday of
October, the spring census on the third Thursday of January and the summer census on the third
Thursday of May. Pure date functions; nothing here reads the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

THURSDAY = 3


@dataclass(frozen=True)
class CensusDay:
    season: str  # "spring", "summer" or "autumn"
    date: dt.date

    @property
    def label(self) -> str:
        """ "Spring census, Thursday 21 January 2027"."""
        return f"{self.season.capitalize()} census, {self.date:%A} {self.date.day} {self.date:%B %Y}"


def nth_thursday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(THURSDAY - first.weekday()) % 7 + 7 * (n - 1))


def census_days(year: int) -> list[CensusDay]:
    """The three census days of a calendar year, in date order."""
    return [
        CensusDay("spring", nth_thursday(year, 1, 3)),
        CensusDay("summer", nth_thursday(year, 5, 3)),
        CensusDay("autumn", nth_thursday(year, 10, 1)),
    ]


def next_census(today: dt.date) -> CensusDay:
    """The census on or after `today` (on census day itself, that day's census)."""
    for day in census_days(today.year) + census_days(today.year + 1):
        if day.date >= today:
            return day
    raise AssertionError("unreachable: every year has an autumn census")


def previous_census(today: dt.date) -> CensusDay:
    """The latest census before `today`."""
    days = census_days(today.year - 1) + census_days(today.year)
    return [d for d in days if d.date < today][-1]
