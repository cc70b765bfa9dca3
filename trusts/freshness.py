"""Figures cached until the data they were computed from changes.

The dashboard of a 100-school trust reads thousands of rows (censuses, claims, awards, cases)
and takes a few hundred milliseconds to compute, and people look at the same figures again and
again between changes. `cached(kind, params, compute)` keeps what `compute()` returns in the
"figures" cache under a key made of `params` and the *versions of the tables compute() read*:

- Every SQL statement passes through an execute wrapper installed on each database connection
  (trusts.apps). A write (INSERT, UPDATE, DELETE, upsert; through the ORM, in bulk or raw)
  notes the tables it wrote, and when the transaction commits each of them gets a new version
  (a TRUNCATE, which may empty tables it does not name, gives every table one). Code that
  writes past Django's cursor (COPY) calls `tables_written()` itself.
- While compute() runs, the wrapper notes every table its queries name. Those tables are the
  dependencies of the kind of figures, remembered in the cache; a later read looks up their
  versions and finds the entry only if none has changed since. A write to a table compute()
  did not read cannot change its result, so case notes, audit rows and sessions keep it.
- The figures are computed and not stored when the cache fails to answer, and when this
  connection has written to a table in a transaction that has not committed yet (no other
  reader may see figures that could still be rolled back).

Versions are read before compute() runs and the new ones are written after the commit, so an
entry computed from the old rows is stored under the old versions, which nobody asks for again.
The key also holds a digest of the project's code, templates and REPORTS_* settings, so a
deployment never reads entries drawn by the code before it. What the key cannot see is the
caller's business: the date, the reader's permissions and the request's parameters belong in
`params`. Entries expire after FIGURES_CACHE_TIMEOUT seconds whatever happens, which bounds the
effect of a write the database saw but the cache did not (the cache unreachable when it
committed, or a change made outside the application).

Inside `refreshing(max_age)`, entries stored longer ago than that are computed again and stored
anew, though no table they read has changed: a periodic task (reports.tasks) refreshes every
dashboard that way before its entries expire, so that nobody has to wait for figures computed
from nothing, and a write the cache did not see shows within that age.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")

CACHE_ALIAS = "figures"
_HEAD = re.compile(r"\s*(\w+)")
_WRITE_HEADS = frozenset({"INSERT", "UPDATE", "DELETE", "COPY", "MERGE", "WITH", "REPLACE"})
# A table name, perhaps quoted, perhaps after its schema ("public"."t").
_TABLE = r'(?:"?[A-Za-z_][\w$]*"?\.)?"?([A-Za-z_][\w$]*)"?'
# The table a write statement names comes first ("WITH x AS (INSERT INTO t" included); an
# upsert's "DO UPDATE SET" is not a table.
_WRITTEN = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|MERGE\s+INTO|'
                      r'REPLACE\s+INTO)\s+(?!SET\b)' + _TABLE, re.I)
_WRITE_SCAN = 400  # characters: a bulk INSERT's rows need no reading
_NAMED = re.compile(r"\b(?:FROM|JOIN)\s+" + _TABLE, re.I)
_SET_COLUMNS = re.compile(r"\bSET\s+(.*?)\s+WHERE\b", re.I | re.S)
_ASSIGNED = re.compile(r'"?(\w+)"?\s*=\s*%s')
_MISSING = object()
# Tables written on nearly every request and never part of any figures: no versions kept.
# cached() refuses to store figures that read one of them.
UNVERSIONED = frozenset({"django_session", "auditlog_logentry", "usersessions_usersession",
                         "trusts_loginevent"})
# Columns no figures read, written often: an UPDATE that sets only these keeps the version.
# (Every login sets the user's last_login; the dashboards read users' names.)
UNVERSIONED_COLUMNS = {"trusts_user": frozenset({"last_login"})}
# TRUNCATE may name several tables or empty others by CASCADE: it changes every version, through
# this one, which every entry's key holds.
EVERY_TABLE = "*"
# The cache answered with an error, or not at all: figures are computed afresh.
CACHE_ERRORS = (RedisError,)

# The tables the figures being computed in this context have read so far (None: not computing).
_reading: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("figures_reading",
                                                                           default=None)
# Entries stored before this time (time.time()) are computed again (None: kept while their tables
# are unchanged). Set by refreshing().
_refresh_before: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "figures_refresh_before", default=None)


def _cache():
    return caches[CACHE_ALIAS]


# --- Noticing writes -------------------------------------------------------------------------


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if not isinstance(sql, str):
        return result
    reading = _reading.get()
    if reading is not None:
        reading.update(t.lower() for t in _NAMED.findall(sql))
    head = _HEAD.match(sql)
    verb = head.group(1).upper() if head else ""
    if verb in _WRITE_HEADS:
        written = {t.lower() for t in _WRITTEN.findall(sql[:_WRITE_SCAN])} - UNVERSIONED
        if verb == "UPDATE" and len(written) == 1:
            written -= {t for t in written if _sets_only_unversioned(t, sql)}
        if written:
            tables_written(written, using=context["connection"].alias)
    elif verb == "TRUNCATE":
        tables_written({EVERY_TABLE}, using=context["connection"].alias)
    return result


def _sets_only_unversioned(table: str, sql: str) -> bool:
    columns = UNVERSIONED_COLUMNS.get(table)
    if not columns:
        return False
    assignments = _SET_COLUMNS.search(sql)
    assigned = set(_ASSIGNED.findall(assignments.group(1))) if assignments else set()
    return bool(assigned) and assigned <= columns


def _install_on(connection, **_kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def install() -> None:
    """Watch every statement of every database connection, present and future."""
    connection_created.connect(_install_on, dispatch_uid="trusts.freshness")
    for connection in connections.all(initialized_only=True):
        _install_on(connection)


class _Bump:
    """An on-commit callback giving new versions to the tables written in a transaction."""

    def __init__(self, tables: set[str]):
        self.tables = tables

    def __call__(self) -> None:
        _bump(self.tables)


def _bump(tables: Iterable[str]) -> None:
    token = uuid.uuid4().hex
    try:
        _cache().set_many({_version_key(t): token for t in tables}, timeout=None)
    except CACHE_ERRORS as exc:
        log.warning("Figures cache unreachable; cached figures of %s may show the old values "
                    "until they expire (%s)", ", ".join(sorted(tables)), type(exc).__name__)


def tables_written(tables: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """These tables changed: new versions now, or when the current transaction commits."""
    tables = set(tables)
    connection = connections[using]
    if not connection.in_atomic_block:
        _bump(tables)
        return
    # One callback per savepoint level: Django drops a rolled-back savepoint's callbacks, so
    # tables are added only to a callback registered at the current level.
    pending = connection.run_on_commit[-1] if connection.run_on_commit else None
    if pending and isinstance(pending[1], _Bump) and pending[0] == set(connection.savepoint_ids):
        pending[1].tables |= tables
    else:
        # Robust: the data is committed by then; a failed bump must not stop later callbacks.
        transaction.on_commit(_Bump(tables), using=using, robust=True)


def has_uncommitted_writes(using: str = DEFAULT_DB_ALIAS) -> bool:
    return any(isinstance(entry[1], _Bump) for entry in connections[using].run_on_commit)


# --- Reading through the cache ----------------------------------------------------------------


def _version_key(table: str) -> str:
    return f"table-version:{table}"


# The tables each kind of figures reads, as this process last learned them or read them from
# the cache: one round trip to the cache less for every read. A memo older than the cache's
# list costs at most a miss, never a wrong value, as an entry is only ever stored under the
# versions of every table its computation read.
_tables_of: dict[str, list[str]] = {}


def forget_tables() -> None:
    """Drop this process's memo of the tables each kind reads (when the cache is emptied)."""
    _tables_of.clear()


def _deps_key(kind: str) -> str:
    return f"figures-tables:{kind}"


def _versions(cache, tables: list[str]) -> list[str]:
    keys = [_version_key(t) for t in [EVERY_TABLE, *tables]]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A table never written (or its version evicted) gets one now, so that a version
            # never comes back to a value an older entry was stored under.
            cache.add(key, uuid.uuid4().hex, timeout=None)
    if len(found) < len(keys):
        found = cache.get_many(keys)
    return [found.get(k, "") for k in keys]


@functools.cache
def code_version() -> str:
    """A digest of the project's Python modules, templates and REPORTS_* settings (read once
    per process)."""
    base = Path(settings.BASE_DIR)
    # The project's own apps sit at the top of BASE_DIR (a virtualenv inside it does not).
    roots = {Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == base}
    roots |= {Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])}
    digest = hashlib.sha256(repr(sorted(
        (name, getattr(settings, name)) for name in dir(settings) if name.startswith("REPORTS_")
    )).encode())
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html"} and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _entry_key(kind: str, params: tuple, tables: list[str], versions: list[str]) -> str:
    digest = hashlib.sha256(repr((code_version(), params, tables, versions)).encode()).hexdigest()
    return f"figures:{kind}:{digest}"


# How a computation made of several sets of figures reads each of them: read(kind, params,
# compute) returns compute()'s result. The dashboards pass `cached`; a board pack or an
# export passes `afresh`, the default.
Reader = Callable[[str, tuple, Callable[[], T]], T]


def afresh(kind: str, params: tuple, compute: Callable[[], T]) -> T:
    """compute()'s result, computed now (the Reader that caches nothing)."""
    return compute()


def answering() -> bool:
    """True if the figures cache answers (while it does not, figures are computed and thrown
    away, so computing them ahead of readers is pointless)."""
    try:
        _cache().get(_version_key(EVERY_TABLE))
    except CACHE_ERRORS:
        return False
    return True


@contextlib.contextmanager
def refreshing(max_age: float) -> Iterator[None]:
    """Inside, cached() computes again and stores anew the entries stored more than `max_age`
    seconds ago. An entry computed inside is new, so figures shared by several pages are
    computed once in a pass over them all."""
    token = _refresh_before.set(time.time() - max_age)
    try:
        yield
    finally:
        _refresh_before.reset(token)


def cached(kind: str, params: tuple, compute: Callable[[], T]) -> T:
    """compute()'s result for `params`, from the cache while no table it read has changed.
    `kind` names the computation (its tables are learned per kind); `params` must hold
    everything else the result depends on, with a stable repr()."""
    outer = _reading.get()
    if has_uncommitted_writes():
        return _computed(compute, outer)[0]
    cache = _cache()
    try:
        tables = _tables_of.get(kind)
        if tables is None:
            tables = cache.get(_deps_key(kind)) or []
            if tables:
                _tables_of[kind] = tables
        key = None
        if tables:
            key = _entry_key(kind, params, tables, _versions(cache, tables))
            entry = cache.get(key, _MISSING)
            if entry is not _MISSING:
                stored_at, value = entry
                if stored_at >= (_refresh_before.get() or 0):
                    if outer is not None:
                        outer.update(tables)
                    return value
    except CACHE_ERRORS:
        return _computed(compute, outer)[0]
    stored_at = time.time()
    value, read = _computed(compute, outer)
    if read & UNVERSIONED:
        log.error("Figures of kind %s read %s, which has no versions: not cached", kind,
                  ", ".join(sorted(read & UNVERSIONED)))
        return value
    try:
        if key is not None and read <= set(tables):
            cache.set(key, (stored_at, value))
        if not read <= set(tables):
            # Stored next time, once the versions of every table are read before computing.
            _tables_of[kind] = sorted(read | set(tables))
            cache.set(_deps_key(kind), _tables_of[kind], timeout=None)
            if _refresh_before.get() is not None:
                # A refresh is there to store figures: next time is now.
                return cached(kind, params, compute)
    except CACHE_ERRORS:
        pass
    return value


def _computed(compute: Callable[[], T], outer: set[str] | None) -> tuple[T, set[str]]:
    read: set[str] = set()
    token = _reading.set(read)
    try:
        value = compute()
    finally:
        _reading.reset(token)
    if outer is not None:
        outer.update(read)
    return value, read
