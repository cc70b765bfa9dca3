"""Long lists, worked through the same way on every page: filters kept in the URL, a `sort`
parameter from a whitelist of columns ("-key" for descending), and pages of PAGE_SIZE rows.

A view validates its filters with a form (ids and codes only: a pupil's name or UPN never goes
in a URL, so a search by name is posted and kept elsewhere), then:

    sorting = Sorting.from_params(request.GET, COLUMNS, default="due")
    rows = sorting.sort_rows(rows, value=..., name=...)        # rows built in memory
    qs = sorting.order_queryset(qs, {"due": ("due",)}, names=("surname", "forename"))
    listing = paginate(request, rows, sorting=sorting, filters=form.cleaned_data)

and the template draws `includes/sort_header.html` for each of `listing.headers` and
`includes/pagination.html` with `listing`. Every link (a header, a page) keeps the other
filters. Sorting a column either way lists rows with equal values by name, A to Z (the rule of
the dashboards' tables), and rows without a value last."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Expression, F, QuerySet

PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    sortable: bool = True


@dataclass(frozen=True)
class Sorting:
    columns: tuple[Column, ...]
    key: str
    descending: bool
    default: str

    @classmethod
    def from_params(cls, params: Mapping[str, str], columns: Sequence[Column], default: str) -> Sorting:
        """The sort asked for in `params` ("sort": "due" or "-due"); anything not in the
        whitelist of sortable columns gives the default, so a tampered URL cannot order by
        an arbitrary field."""
        allowed = {c.key for c in columns if c.sortable}
        raw = str(params.get("sort", "") or default)
        descending = raw.startswith("-")
        key = raw[1:] if descending else raw
        if key not in allowed:
            descending = default.startswith("-")
            key = default[1:] if descending else default
        return cls(tuple(columns), key, descending, default)

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def sort_rows(
        self, rows: Iterable, *, value: Callable[[Any, str], Any], name: Callable[[Any], Any]
    ) -> list:
        """Rows built in memory, sorted by `value(row, key)`; rows whose value is None last
        either way; equal values by `name(row)` ascending whichever way (a stable sort by name
        first, then by the column: reverse=True keeps equal rows in their order)."""
        out = sorted(rows, key=name)
        present = [r for r in out if value(r, self.key) is not None]
        missing = [r for r in out if value(r, self.key) is None]
        present.sort(key=lambda r: value(r, self.key), reverse=self.descending)
        return present + missing

    def order_queryset(
        self, qs: QuerySet, orderings: Mapping[str, Sequence[str | Expression]], *, names: Sequence[str]
    ) -> QuerySet:
        """The queryset ordered in the database: the column's fields or expressions
        (`orderings[key]`) in the chosen direction with nulls last, then `names` ascending,
        then the primary key, so pages never overlap or skip a row."""
        exprs = []
        for f in orderings.get(self.key, ()):
            expr = F(f) if isinstance(f, str) else f
            exprs.append(expr.desc(nulls_last=True) if self.descending else expr.asc(nulls_last=True))
        return qs.order_by(*exprs, *names, "pk")


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    numeric: bool
    url: str  # "" for a column that cannot be sorted
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)


@dataclass
class Listing:
    page: Page
    headers: list[Header]
    sorting: Sorting
    # The filters and sort as a query string ending in "&" (or ""), for the page links.
    query_prefix: str
    filters: dict[str, str]

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def rows(self) -> list:
        return list(self.page.object_list)

    def header(self, key: str) -> Header:
        return next(h for h in self.headers if h.key == key)

    @property
    def page_range(self) -> list[int | None]:
        return page_numbers(self.page)


def query_values(filters: Mapping[str, Any]) -> dict[str, str]:
    """Cleaned filter values as URL parameters: blanks dropped, model instances as their id."""
    out = {}
    for name, value in filters.items():
        if value in (None, "", [], ()):
            continue
        out[name] = str(getattr(value, "pk", value))
    return out


def paginate(
    request, rows, *, sorting: Sorting, filters: Mapping[str, Any], page_size: int = PAGE_SIZE
) -> Listing:
    """One page of `rows` (a list or an ordered queryset: a queryset costs a count and one
    query for the page, whatever its length) with the headers' sort links and the page links,
    each keeping the filters."""
    chosen = query_values(filters)
    page = Paginator(rows, page_size).get_page(request.GET.get("page"))
    headers = []
    for col in sorting.columns:
        url = aria = ""
        if col.sortable:
            current = col.key == sorting.key
            if current:
                aria = "descending" if sorting.descending else "ascending"
            next_sort = f"-{col.key}" if current and not sorting.descending else col.key
            url = "?" + urlencode({**chosen, "sort": next_sort})
        headers.append(Header(col.key, col.label, col.numeric, url, aria))
    params = {**chosen}
    if sorting.param != sorting.default:
        params["sort"] = sorting.param
    prefix = urlencode(params)
    return Listing(
        page=page,
        headers=headers,
        sorting=sorting,
        query_prefix=f"{prefix}&" if prefix else "",
        filters=chosen,
    )


def page_numbers(page: Page, *, around: int = 1) -> list[int | None]:
    """The page numbers the GOV.UK pagination shows: the first, the last, the current with
    its neighbours, None for each gap (an ellipsis)."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - around, page.number + around + 1)}
    out: list[int | None] = []
    previous = 0
    for n in sorted(x for x in wanted if 1 <= x <= last):
        if n - previous > 1:
            out.append(None)
        out.append(n)
        previous = n
    return out
