"""Writing thousands of rows at once. On PostgreSQL they travel by COPY, several times faster
than `bulk_create`'s INSERT ... VALUES for the same rows: a census import makes an EHC plan
record for every pupil recorded as E and the casework figures' rows of their deadlines, some
ten thousand rows, and Django prepares and sends each value of an INSERT one by one. Other
databases (the embedded SQLite) use bulk_create.

Like bulk_create, neither calls save() nor sends model signals; unlike it, `insert` does not
set the new rows' ids on the objects: use it where nothing reads them."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import partial
from operator import attrgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.fields import AutoFieldMixin


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows (values in the order of `columns`) into a table, on PostgreSQL. Logged like
    any statement, so that query counts include it."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    start = time.monotonic()
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - start:.3f}"}
        )


# Fields whose value COPY takes as the attribute holds it: for these Django's preparation
# (get_db_prep_save) gives the value back unchanged, after several calls for each value of each
# row, which cost a census import about a tenth of its time. Others (dates set on save,
# decimals, JSON, a project's own fields) are prepared as Django prepares them.
_AS_HELD = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.ForeignKey)


def _as_held(field: models.Field) -> bool:
    if type(field) is models.DateField:  # a date, unless the field sets it on save
        return not (field.auto_now or field.auto_now_add)
    return (
        isinstance(field, _AS_HELD)
        and type(field).__module__.startswith("django.db.models.")  # no project's own field
        and type(field).pre_save is models.Field.pre_save
        and (not isinstance(field, models.ForeignKey) or isinstance(field.target_field, models.IntegerField))
    )


def insert(model: type[models.Model], objs: Iterable[models.Model]) -> int:
    """Insert new instances of `model` (their ids made by the database, and not read back).
    Returns how many."""
    objs = list(objs)
    if not objs:
        return 0
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=2000)
        return len(objs)
    # The columns an INSERT of a new row gives: not the id the database makes.
    fields = [f for f in model._meta.concrete_fields if not f.generated and not isinstance(f, AutoFieldMixin)]
    # The connection itself, not django.db.connection: that proxy looks it up again on every
    # use, and each value of each row uses it.
    db = connections[DEFAULT_DB_ALIAS]
    getters = [attrgetter(f.attname) if _as_held(f) else partial(_prepared, f, db) for f in fields]
    copy_rows(
        model._meta.db_table,
        [db.ops.quote_name(f.column) for f in fields],
        (tuple(get(obj) for get in getters) for obj in objs),
    )
    return len(objs)


def _prepared(field: models.Field, db: Any, obj: models.Model) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, True), db)
