"""What the project's process does while it starts: before it serves a request or runs a command.

Startup is mostly importing: about a thousand modules for Django, DRF and the contexts. Two
things make it slower than it needs to be, and this module removes both (docs/performance.md,
"Startup", has the measurements):

- The cyclic garbage collector runs some two hundred times during those imports (its older
  generations walking again and again what startup has built so far) and finds almost nothing
  to free: modules, classes and functions live as long as the process. ``begin()`` pauses it;
  ``finish()``, once every app is ready, freezes what startup built (later collections skip
  it, and gunicorn workers forked from a preloading master keep sharing those pages) and turns
  collection back on. This is the pattern the documentation of ``gc.freeze`` recommends.
- ``skip_drf_postgres_probe()``: see there.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Mapping
from typing import Any

_paused_collection = False


def begin() -> None:
    """Pause the cyclic garbage collector until ``finish()``. Called first by ``manage.py`` and
    the WSGI/ASGI modules, before Django is imported."""
    global _paused_collection  # noqa: PLW0603  (one flag for the whole process)
    if gc.isenabled():
        gc.disable()
        _paused_collection = True


def finish() -> None:
    """End startup: called when every app is ready (``CompositionRootConfig.ready``).

    Does nothing unless ``begin()`` paused the collector, so a process that manages the
    collector itself (a test runner, a profiler, code that turned it off) is left as it is.
    """
    global _paused_collection  # noqa: PLW0603
    if _paused_collection:
        _paused_collection = False
        gc.freeze()
        gc.enable()


def skip_drf_postgres_probe(databases: Mapping[str, Mapping[str, Any]]) -> None:
    """Keep DRF from importing psycopg when every configured database is SQLite.

    ``rest_framework.compat`` imports ``django.contrib.postgres.fields`` whenever psycopg is
    installed, to map PostgreSQL-only model fields (ArrayField, HStoreField) in
    ``ModelSerializer``; that import loads psycopg and costs about 60 ms on every start, SQLite
    included. With only SQLite configured those fields cannot exist, so DRF is imported here
    with the probe answered "not available" (as if psycopg were not installed). Nothing else
    is affected: ``django.contrib.postgres`` stays importable for any other code.
    """
    probe = "django.contrib.postgres.fields"
    if "rest_framework.compat" in sys.modules or probe in sys.modules:
        return  # DRF has probed already, or psycopg is loaded anyway
    if any(db.get("ENGINE") != "django.db.backends.sqlite3" for db in databases.values()):
        return
    sys.modules[probe] = None  # type: ignore[assignment]  # None in sys.modules: ImportError
    try:
        importlib.import_module("rest_framework.compat")
    finally:
        del sys.modules[probe]
