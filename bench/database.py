"""A database of a benchmark's own: bench_<name of DATABASE_URL's database>, created with the
migrations before the benchmark and dropped after it, so that a benchmark runs on a fresh
machine (where DATABASE_URL's own database need not exist) and never writes into it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def own_database() -> Iterator[None]:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    default = settings.DATABASES["default"]
    default.setdefault("TEST", {})["NAME"] = "bench_" + default["NAME"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)
