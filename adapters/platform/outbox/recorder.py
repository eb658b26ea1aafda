"""``kernel.events.Outbox`` on the outbox table: what ``DjangoUnitOfWork.outbox`` is."""

from __future__ import annotations

import functools
import uuid

from django.db import transaction

from adapters.platform.outbox import relay
from adapters.platform.outbox.models import OutboxMessage
from kernel.events import Event


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
        message = OutboxMessage.objects.create(
            id=uuid.uuid4(), name=event.name, version=event.version, payload=event.payload()
        )
        # robust: a failure to publish is logged, never raised into the committed request
        # (relay.publish does not raise anyway; the sweep sends what it could not).
        transaction.on_commit(
            functools.partial(relay.publish_after_commit, message.id), robust=True
        )
