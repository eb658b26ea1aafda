"""src/startup.py: the garbage collector paused while the apps load, and DRF's psycopg probe
skipped on SQLite; and Celery left unimported until something is published. What they save is
measured by ``python -m bench.startup``, not here."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from src import startup

REPO_ROOT = Path(__file__).resolve().parents[3]

# Runs manage.py as the shell would, then reports what startup left behind.
AFTER_MANAGE_PY = """
import gc, json, runpy, sys
sys.argv = ["manage.py", "check"]
runpy.run_path("manage.py", run_name="__main__")
loaded_by_check = set(sys.modules)
import rest_framework.compat
import django.contrib.postgres.fields  # still importable by anyone who needs it
print(json.dumps({
    "collector_enabled": gc.isenabled(),
    "frozen_objects": gc.get_freeze_count(),
    "psycopg_loaded_by_check": "psycopg" in loaded_by_check,
    "celery_loaded_by_check": bool({"celery", "kombu"} & loaded_by_check),
    "drf_maps_postgres_fields": rest_framework.compat.postgres_fields is not None,
}))
"""


@pytest.fixture
def collector() -> Iterator[None]:
    """Leave the test process's collector as it found it."""
    was_enabled = gc.isenabled()
    yield
    startup._paused_collection = False
    gc.unfreeze()
    (gc.enable if was_enabled else gc.disable)()


@pytest.mark.usefixtures("collector")
def test_startup_pauses_the_collector_then_freezes_what_it_built_and_resumes() -> None:
    gc.enable()
    startup.begin()
    assert not gc.isenabled()

    startup.finish()

    assert gc.isenabled()
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("collector")
def test_finish_without_begin_leaves_the_collector_alone() -> None:
    gc.enable()
    startup.finish()  # e.g. pytest-django set Django up: nothing was paused
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0

    gc.disable()  # someone turned it off on purpose
    startup.begin()
    startup.finish()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def _manage_py_check(**env: str) -> dict[str, Any]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    completed = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", AFTER_MANAGE_PY],
        cwd=REPO_ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return report


def test_manage_py_on_sqlite_resumes_collection_and_never_loads_psycopg() -> None:
    report = _manage_py_check()

    assert report["collector_enabled"]
    assert report["frozen_objects"] > 0
    assert not report["psycopg_loaded_by_check"]
    assert not report["drf_maps_postgres_fields"]


def test_manage_py_on_postgresql_lets_drf_map_postgres_fields() -> None:
    # `check` does not connect, so no server needs to answer at this address.
    report = _manage_py_check(DATABASE_URL="postgres://app@127.0.0.1:9/app")

    assert report["collector_enabled"]
    assert report["drf_maps_postgres_fields"]


def test_manage_py_never_loads_celery_even_with_a_broker_configured() -> None:
    # Celery is imported by the first publish to the broker (src/outbox.py), not at startup.
    for env in ({}, {"CELERY_BROKER_URL": "redis://127.0.0.1:9/1"}):
        assert not _manage_py_check(**env)["celery_loaded_by_check"], env
