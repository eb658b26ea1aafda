"""The workers' commits do not wait for the WAL flush on PostgreSQL (unless
OUTBOX_WORKER_SYNCHRONOUS_COMMIT): src/celery.py, bench/outbox.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import override_settings

from src import celery as worker

pytestmark = pytest.mark.django_db


def _connected() -> bool:
    return worker.commit_asynchronously in connection_created._live_receivers(None)[0]


@pytest.mark.parametrize("synchronous", [False, True])
def test_a_worker_makes_its_connections_commit_asynchronously_unless_told(
    synchronous: bool,
) -> None:
    with override_settings(OUTBOX_WORKER_SYNCHRONOUS_COMMIT=synchronous):
        try:
            worker._commit_without_waiting_for_the_disk()
            assert _connected() is not synchronous
        finally:
            connection_created.disconnect(worker.commit_asynchronously)


@pytest.mark.postgres
def test_on_postgresql_the_session_stops_waiting_for_the_disk_at_commit() -> None:
    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            row = cursor.fetchone()
        assert row is not None
        return str(row[0])

    assert setting() == "on", "the web processes' commits wait"
    try:
        worker.commit_asynchronously(connection)
        assert setting() == "off"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO on")
