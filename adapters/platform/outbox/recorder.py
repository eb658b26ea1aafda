"""``kernel.events.Outbox`` on the outbox table: what ``DjangoUnitOfWork.outbox`` is."""

from __future__ import annotations

import functools
import uuid

from django.db import transaction
from django.utils import timezone

from adapters.platform.outbox import relay
from adapters.platform.outbox.models import OutboxMessage, Status
from adapters.platform.persistence.inserts import RowInsert
from kernel.events import Event

# Every request that records an event inserts one: compiled once (persistence/inserts.py).
_INSERT = RowInsert(
    OutboxMessage,
    [
        "id",
        "name",
        "version",
        "payload",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "published_at",
        "finished_at",
    ],
)


class DjangoOutbox:
    """Records an integration event as an ``OutboxMessage`` row in the current transaction,
    and publishes it once that transaction commits (nothing at all if it rolls back)."""

    def record(self, event: Event) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError(
                f"{event.name} was recorded outside a transaction: record integration events "
                "through the unit of work (with uow: ... uow.outbox.record(event)), so that "
                "they commit or roll back with the change that caused them."
            )
        message_id = uuid.uuid4()
        _INSERT.execute(
            [
                message_id,
                event.name,
                event.version,
                event.payload(),
                Status.PENDING.value,
                0,
                "",
                timezone.now(),
                None,
                None,
            ]
        )
        # robust: a failure to publish is logged, never raised into the committed request
        # (relay.publish does not raise anyway; the sweep sends what it could not).
        transaction.on_commit(
            functools.partial(relay.publish_after_commit, message_id), robust=True
        )
