"""The school census days (core.census_dates): first Thursday of October, third Thursday of
January and of May."""

import datetime as dt

import pytest

from core.census_dates import census_days, next_census, previous_census
from pupils import demo

D = dt.date


def test_the_three_census_days_of_a_year():
    assert [(c.season, c.date) for c in census_days(2027)] == [
        ("spring", D(2027, 1, 21)),
        ("summer", D(2027, 5, 20)),
        ("autumn", D(2027, 10, 7)),
    ]
    assert all(c.date.weekday() == 3 for y in range(2020, 2031) for c in census_days(y))


def test_the_demo_censuses_fall_on_census_days():
    days = {c.date for y in range(2024, 2029) for c in census_days(y)}
    for today in (D(2025, 12, 1), D(2026, 12, 3), D(2027, 3, 1), D(2027, 7, 30)):
        assert set(demo.demo_censuses(today)) <= days


@pytest.mark.parametrize(
    ("today", "season", "date"),
    [
        (D(2026, 12, 3), "spring", D(2027, 1, 21)),
        (D(2027, 1, 21), "spring", D(2027, 1, 21)),  # on census day, that day's census
        (D(2027, 1, 22), "summer", D(2027, 5, 20)),
        (D(2026, 9, 30), "autumn", D(2026, 10, 1)),
    ],
)
def test_the_next_census(today, season, date):
    census = next_census(today)
    assert (census.season, census.date) == (season, date)
    assert census.label.startswith(f"{season.capitalize()} census, Thursday")
    assert previous_census(date).date < date
