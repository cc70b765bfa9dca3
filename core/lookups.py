"""`field__any_of=ids`: the rows of `field__in=ids`, sent to PostgreSQL as one array parameter.

A dashboard filters its summary rows by the hundred or so schools of a trust, in several queries,
and the tenant scope adds the same filter again. Written as `IN (%s, %s, ...)` each id is a
parameter that Django prepares and psycopg splits out of the SQL one by one, which cost more than
the queries themselves (about a third of a trust dashboard's time). `= ANY(%s)` with the ids as
one array is the same condition to PostgreSQL's planner. Other databases (the embedded SQLite
demo) get the plain `IN` list.
"""

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import Lookup


def _ids(values) -> list[int]:
    return sorted({int(getattr(v, "pk", v)) for v in values})


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return _ids(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*lhs_params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


def register() -> None:
    for field in (models.IntegerField, models.ForeignKey):
        field.register_lookup(AnyOf)
