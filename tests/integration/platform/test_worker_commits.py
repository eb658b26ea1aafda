"""The workers' commits do not wait for the WAL flush on PostgreSQL (unless
OUTBOX_WORKER_SYNCHRONOUS_COMMIT): src/celery.py, bench/outbox.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import override_settings

from src import celery as worker

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("synchronous", [False, True])
def test_a_worker_makes_its_connections_commit_asynchronously_unless_told(
    synchronous: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured: list[object] = []

    def receiver(connection: object, **_kwargs: object) -> None:
        configured.append(connection)

    monkeypatch.setattr(worker, "commit_asynchronously", receiver)
    with override_settings(OUTBOX_WORKER_SYNCHRONOUS_COMMIT=synchronous):
        try:
            worker._commit_without_waiting_for_the_disk()
            connection_created.send(sender=type(connection), connection=connection)
        finally:
            connection_created.disconnect(dispatch_uid=worker.ASYNC_COMMIT)

    assert configured == ([] if synchronous else [connection])


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
