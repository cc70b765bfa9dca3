"""Reads whose SQL the ORM writes once per process, then runs with each call's values.

A trust dashboard makes a dozen summary reads of a fixed shape on every request. Building and
compiling those querysets took about 10 ms of the page's 60 on the benchmark's machine, as
much as PostgreSQL took to run them. A `PreparedRead` keeps the queryset as its definition (a
function of named parameters returning a `values()` or `values_list()` queryset), has the ORM
write its SQL on first use, and then only swaps the parameters' values in: the same SQL text,
which psycopg also prepares on the server (settings: `prepare_threshold`).

Swapping values is only right if a parameter's value reaches the SQL as itself. So the first
use builds the queryset twice, with two different sets of stand-in values, and checks that
the SQL is the same text and that the parameters differ exactly where the stand-ins are. A
definition that computes something from a parameter (that value would be frozen at the first
call's) or whose shape depends on a value fails that check, on first use, naming the read and
the parameter. What the SQL's shape depends on is passed as `shape`, one SQL text per shape.

Only PostgreSQL sends a list of ids as one parameter (core.lookups); on other databases (the
embedded SQLite default) the queryset is built and run by the ORM on every call.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesIterable, ValuesListIterable
from django_scopes import scope


class PreparedReadError(Exception):
    """A definition whose values do not reach its SQL as themselves."""


def _stand_in(value: Any, index: int, second: bool) -> Any:
    """A value of the parameter's type that no real call passes, different in the two builds;
    lists of different lengths, so that a length baked into the SQL shows too."""
    if isinstance(value, bool) or value is None:
        raise TypeError("booleans and None change a query's shape: pass them as `shape`")
    if isinstance(value, int):
        # Within a small integer column's range: the ORM drops a condition that a value out of
        # its column's range makes always true or always false.
        return 32_000 + 2 * index + second
    if isinstance(value, datetime.datetime):
        raise TypeError("datetimes are not supported; pass dates")
    if isinstance(value, datetime.date):
        return datetime.date(1101 + index, 2, 3) if second else datetime.date(1001 + index, 1, 1)
    if isinstance(value, Decimal):
        return Decimal(-987_654 - 2 * index - second)
    if isinstance(value, str):
        return f"\x01stand-in {index} {int(second)}"
    if isinstance(value, list):  # of ids, sent as one array (a tuple would go as a record)
        base = -2_000_000_000 - 1000 * index
        return [base - 3, base - 2] if second else [base - 1]
    raise TypeError(f"no stand-in for a {type(value).__name__}")


def _stand_ins(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two sets of stand-ins for the values, each parameter's different from the others'."""
    ordered = list(enumerate(sorted(values.items())))
    return (
        {name: _stand_in(v, i, False) for i, (name, v) in ordered},
        {name: _stand_in(v, i, True) for i, (name, v) in ordered},
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, parameter name)
    converters: tuple[tuple[int, list, Any], ...]  # (column, converters, expression)
    names: tuple[str, ...] | None  # column names for dict rows, None for tuples
    using: str


class PreparedRead:
    """`PreparedRead(build)`, `read.rows(shape=..., **values)`: the rows of
    `build(*shape, **values)`, a `values()` queryset's as dicts, a `values_list()` one's as
    tuples. `values` are ints, dates, Decimals, strings or lists of ids; anything that changes
    the SQL's shape (a None, a flag) goes in `shape`, a tuple passed first to `build`."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]]) -> None:
        self.build = build
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *, shape: tuple[Hashable, ...] = (), **values: Any) -> list[Any]:
        compiled = self._compiled.get(shape)
        if compiled is None:
            stand_ins = _stand_ins(values)  # refuses values that would change the shape
            queryset = self.build(*shape, **values)  # for its database
            if connections[queryset.db].vendor != "postgresql":
                return list(queryset)
            with self._lock:
                compiled = self._compiled.get(shape) or self._compile(shape, values, stand_ins)
                self._compiled[shape] = compiled
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [self._convert(list(row), compiled.converters, connection) for row in rows]
        if compiled.names is not None:
            names = compiled.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        return [tuple(row) for row in rows]

    @staticmethod
    def _convert(row: list[Any], converters: tuple[tuple[int, list, Any], ...], connection) -> list[Any]:
        for position, convs, expression in converters:
            value = row[position]
            for converter in convs:
                value = converter(value, expression, connection)
            row[position] = value
        return row

    def _sql(self, shape: tuple[Hashable, ...], values: dict[str, Any]):
        queryset = self.build(*shape, **values)
        if queryset._iterable_class not in (ValuesIterable, ValuesListIterable):
            raise PreparedReadError(f"{self._name}: build a values() or values_list() queryset")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        return queryset, compiler, sql, tuple(params)

    @property
    def _name(self) -> str:
        return getattr(self.build, "__qualname__", repr(self.build))

    def _compile(
        self,
        shape: tuple[Hashable, ...],
        values: dict[str, Any],
        stand_ins: tuple[dict[str, Any], dict[str, Any]],
    ) -> _Compiled:
        first, second = stand_ins
        # Each build under a tenant scope of its own (django-scopes), so that a filter the
        # request's scope would add to a model's query (trusts.scoping.TenantManager) differs
        # between them too and is refused below: it would be frozen at the first request's.
        with scope(school=[-3_000_000_001], trust=[-3_000_000_001]):
            queryset, compiler, sql, params = self._sql(shape, first)
        with scope(school=[-3_000_000_003, -3_000_000_002], trust=[-3_000_000_003, -3_000_000_002]):
            _, _, sql_again, params_again = self._sql(shape, second)
        if sql != sql_again or len(params) != len(params_again):
            raise PreparedReadError(f"{self._name}: the SQL's shape depends on a value; pass it as `shape`")
        slots = []
        for position, (a, b) in enumerate(zip(params, params_again, strict=True)):
            if a == b:
                continue  # a constant of the definition
            name = next((n for n in first if first[n] == a and second[n] == b), None)
            if name is None:
                raise PreparedReadError(
                    f"{self._name}: parameter {position} of the SQL is computed from a value "
                    "(compute it before the call and pass it in) or from the request's tenant "
                    "scope (pass the schools and query with `with_scope(school=...)`)"
                )
            slots.append((position, name))
        unused = set(values) - {name for _, name in slots}
        if unused:
            raise PreparedReadError(f"{self._name}: {', '.join(sorted(unused))} not sent to the SQL as given")
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = tuple(
            (pos, convs, expr) for pos, (convs, expr) in compiler.get_converters(fields).items()
        )
        names = None
        if queryset._iterable_class is ValuesIterable:
            query = queryset.query
            names = tuple(
                query.selected or [*query.extra_select, *query.values_select, *query.annotation_select]
            )
        return _Compiled(sql, params, tuple(slots), converters, names, queryset.db)
