"""core.listing, the mechanics every long list shares: the sort whitelist, equal values by
name whichever way, rows without a value last, the page numbers shown."""

import datetime as dt
from types import SimpleNamespace

from django.core.paginator import Paginator

from core.listing import Column, Sorting, page_numbers, query_values

COLUMNS = (Column("due", "Due"), Column("school", "School"), Column("status", "Status", sortable=False))


def _sorting(sort: str) -> Sorting:
    return Sorting.from_params({"sort": sort}, COLUMNS, default="due")


def test_only_whitelisted_sortable_columns_are_accepted():
    assert (_sorting("-school").key, _sorting("-school").descending) == ("school", True)
    for bad in ("status", "pupil__upn", "-", "", "--due"):
        assert (_sorting(bad).key, _sorting(bad).descending) == ("due", False), bad
    assert _sorting("-school").param == "-school"


def test_equal_values_are_listed_by_name_either_way_and_blanks_last():
    day = dt.date(2026, 1, 5)
    rows = [
        SimpleNamespace(name=n, due=d)
        for n, d in (("Cara", day), ("Abe", None), ("Bea", day), ("Dan", day + dt.timedelta(days=1)))
    ]

    def order(sort):
        return [
            r.name
            for r in _sorting(sort).sort_rows(
                rows, value=lambda r, key: getattr(r, key), name=lambda r: r.name
            )
        ]

    assert order("due") == ["Bea", "Cara", "Dan", "Abe"]
    assert order("-due") == ["Dan", "Bea", "Cara", "Abe"]


def test_filters_go_in_the_url_as_ids_without_blanks():
    school = SimpleNamespace(pk=12)
    assert query_values({"school": school, "kind": "", "owner": None, "due": "soon"}) == {
        "school": "12",
        "due": "soon",
    }


def test_the_pages_shown_are_the_ends_and_the_neighbours_of_the_current():
    paginator = Paginator(range(500), 50)
    assert page_numbers(paginator.page(1)) == [1, 2, None, 10]
    assert page_numbers(paginator.page(5)) == [1, None, 4, 5, 6, None, 10]
    assert page_numbers(paginator.page(10)) == [1, None, 9, 10]
    assert page_numbers(Paginator(range(120), 50).page(2)) == [1, 2, 3]
