"""The tenant scope on models: django-scopes' ScopedManager, with a scope's ids sent as one array.

Every tenant-owned model declares `objects = TenantManager(school="<path to its school>")`. Inside
`django_scopes.scope(school=ids)` (set for each request by TenantScopeMiddleware) its queries are
filtered to those schools; outside any scope they fail (ScopeError), and `scopes_disabled()`
lifts the filter for commands and tasks, exactly as with django-scopes' own ScopedManager.

The one difference: a list of ids is filtered with `__any_of` (core.lookups), one array
parameter on PostgreSQL, where ScopedManager writes `__in` with a parameter per id. A trust's
hundred schools in every query of a dashboard cost more as parameters than the queries did.
"""

import copy
from collections.abc import Iterable
from typing import Any, Self, TypeVar

from django.db import models
from django_scopes import ScopeError
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope

_M = TypeVar("_M", bound=models.Model)


class TenantManager(models.Manager[_M]):
    """`TenantManager(school="<path to its school>")`; for a model with its own queryset,
    `TenantManager.from_queryset(TheQuerySet)(school=...)`, as with any Django manager."""

    # Set only on the copies with_scope() and with_scopes_disabled() return.
    _override_scope: dict[str, Any] | None = None

    def __init__(self, **paths: str) -> None:
        super().__init__()
        self.paths = paths

    def with_scope(self, **scope: Any) -> Self:
        cloned = copy.copy(self)
        cloned._override_scope = {**scope, "_enabled": True}
        return cloned

    def with_scopes_disabled(self) -> Self:
        cloned = copy.copy(self)
        cloned._override_scope = {"_enabled": False}
        return cloned

    def get_queryset(self) -> models.QuerySet[_M]:
        current = self._override_scope
        if current is None:
            current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        missing = set(self.paths) - set(current)
        if missing:
            return DisabledQuerySet(self.model, using=self._db, missing_scopes=missing)
        filters = {}
        for dimension, path in self.paths.items():
            value = current[dimension]
            if isinstance(value, (list, tuple, set, frozenset)):
                filters[f"{path}__any_of"] = value
            elif value is not None:
                filters[path] = value
        return super().get_queryset().filter(**filters)

    def all(self) -> models.QuerySet[_M]:
        queryset = super().all()
        if isinstance(queryset, DisabledQuerySet):
            queryset = queryset.all()  # raises ScopeError, as ScopedManager does
        return queryset


def scoped_ids(school_ids: Iterable[int | str]) -> list[int]:
    """The ids of these schools that the current scope allows, sorted: what `within` filters
    on, for a read that sends them to its SQL itself (core.prepared). Outside a scope it fails
    as any query there does (ScopeError); with scopes disabled (commands, tasks) it is all of
    them."""
    current = get_scope()
    ids = {int(pk) for pk in school_ids}
    if current.get("_enabled", True):
        if "school" not in current:
            raise ScopeError("A scope on dimension(s) school needs to be active for this query.")
        allowed = current["school"]
        if isinstance(allowed, (list, tuple, set, frozenset)):
            ids &= {int(pk) for pk in allowed}
        elif allowed is not None:
            ids &= {int(allowed)}
    return sorted(ids)


def within(manager: TenantManager[_M], school_ids: Iterable[int | str]) -> models.QuerySet[_M]:
    """The rows of these schools that the current scope allows: the scope narrowed to them, so
    the query filters on its schools once. Filtering the scoped rows by the same schools again
    would filter twice, and PostgreSQL multiplies the two conditions' estimates as if they were
    independent: with thousands of schools it expects one row for a trust's hundreds and picks
    plans for one row. Outside a scope (a query that would fail) it fails the same way; with
    scopes disabled (commands, tasks) it is a filter on the schools."""
    return manager.with_scope(school=scoped_ids(school_ids)).all()
