"""The academic and financial years (core.years), at their edges."""

import datetime as dt

import pytest

from core import years

D = dt.date


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (D(2026, 8, 31), 2025),
        (D(2026, 9, 1), 2026),
        (D(2027, 1, 1), 2026),
    ],
)
def test_the_academic_year_begins_on_1_september(day, start):
    assert years.academic_year_start(day) == start
    assert years.academic_year_first_day(day) == D(start, 9, 1)


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (D(2026, 3, 31), 2025),
        (D(2026, 4, 1), 2026),
        (D(2026, 4, 2), 2026),
    ],
)
def test_the_financial_year_begins_on_1_april(day, start):
    assert years.financial_year_start(day) == start
    assert years.financial_year_to_date(day) == (D(start, 4, 1), day)


def test_years_are_named_by_the_year_they_begin_in():
    assert years.academic_year_label(2025) == "2025/26"
    assert years.academic_year_label(2099) == "2099/00"
    assert years.financial_year_label(2025) == "2025-26"
    assert years.financial_year_bounds(2027) == (D(2027, 4, 1), D(2028, 3, 31))
    assert years.academic_year_bounds(2026) == (D(2026, 9, 1), D(2027, 8, 31))
