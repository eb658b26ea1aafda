"""PostgreSQL timestamps read by psycopg's C loader instead of Django's Python one.

Django registers its own ``timestamptz`` loader on every PostgreSQL connection: a Python
subclass of psycopg's pure-Python loader that parses the text and then sets the tzinfo to the
connection's time zone. Parsing in Python costs about 6 µs a value; a page of 50 invoices holds
some 70 timestamps, so about 0.33 ms of CPU a request went there (bench/run.py; psycopg's own
C loader, which ``psycopg.adapters`` holds when the binary package is installed, does the same
work in 0.02 ms a value).

The C loader returns each value in the session's time zone, and Django sets the session's time
zone to its own when it connects; when that is UTC (``USE_TZ`` and no per-database
``TIME_ZONE``: this project's settings) both loaders give the same datetime, with
``datetime.timezone.utc`` as its tzinfo, so the swap changes nothing but the cost. With any
other time zone Django's loader is left alone. The loader keeps a ``timezone`` attribute
because Django reads it on the connection's loader when it opens a cursor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

DISPATCH_UID = "platform.timestamps.compiled_loader"


@cache
def compiled_timestamp_loader() -> type[Any]:
    """The loader class; built on first use, so that a process on SQLite never imports psycopg
    (tests/integration/composition/test_startup.py)."""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    registered = psycopg.adapters.get_loader(timestamptz_oid(), Format.TEXT)
    if registered is None:  # pragma: no cover  (psycopg always registers one)
        raise RuntimeError("psycopg has no timestamptz loader")
    compiled: type[Any] = registered

    class CompiledTimestampLoader(Loader):
        """``timestamptz`` in text format, parsed by psycopg's own (compiled) loader."""

        timezone = UTC  # what Django compares with the connection's time zone

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = compiled(oid, context).load

        def load(self, data: Any) -> datetime:
            value: datetime = self._load(data)
            return value

    return CompiledTimestampLoader


@cache
def timestamptz_oid() -> int:
    import psycopg

    return int(psycopg.postgres.types["timestamptz"].oid)


def use_compiled_timestamp_loader(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    """``connection_created`` receiver: swap the loader on a PostgreSQL connection in UTC."""
    if connection.vendor != "postgresql" or connection.timezone != UTC:
        return  # Django's loader also strips or converts the tzinfo: its result differs
    connection.connection.adapters.register_loader(timestamptz_oid(), compiled_timestamp_loader())
