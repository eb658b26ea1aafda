"""The relay's ``published`` mark after a publish (``relay._mark_published``): on PostgreSQL,
outside a transaction, one statement committed without waiting for its WAL flush; anywhere
else an ordinary update. Either way only unfinished rows are marked."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from dependency_injector import providers
from django.db import connection

from adapters.platform.outbox import relay
from adapters.platform.outbox.models import OutboxMessage, Status
from src import container as composition
from tests.outbox_app.transports import RecordingTransport

pytestmark = pytest.mark.django_db(transaction=True)  # the mark runs after a real commit


@pytest.fixture
def transport(container: composition.ApplicationContainer) -> Iterator[RecordingTransport]:
    recording = RecordingTransport()
    container.outbox.transport.override(providers.Object(recording))
    yield recording
    container.outbox.transport.reset_override()


def message(status: Status) -> OutboxMessage:
    return OutboxMessage.objects.create(
        id=uuid.uuid4(), name="tests.marked", version=1, payload={}, status=status
    )


def test_published_messages_are_marked_and_finished_ones_left_alone(
    transport: RecordingTransport,
) -> None:
    pending, in_flight, done, failed = (
        message(status) for status in (Status.PENDING, Status.PUBLISHED, Status.DONE, Status.FAILED)
    )

    assert relay.publish([pending.id, in_flight.id, done.id, failed.id])

    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {
        pending.id: Status.PUBLISHED,
        in_flight.id: Status.PUBLISHED,
        done.id: Status.DONE,
        failed.id: Status.FAILED,
    }
    marked = OutboxMessage.objects.filter(published_at__isnull=False)
    assert set(marked.values_list("pk", flat=True)) == {pending.id, in_flight.id}
    assert transport.published == [pending.id, in_flight.id, done.id, failed.id]


@pytest.mark.postgres  # PostgreSQL's commit setting
def test_the_relaxed_commit_setting_ends_with_the_mark() -> None:
    relay._mark_published([message(Status.PENDING).id])

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        (setting,) = cursor.fetchone() or ("?",)
    assert setting == "on"
    assert OutboxMessage.objects.get().status == Status.PUBLISHED
