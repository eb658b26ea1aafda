"""What the outbox needs from the composition root, as ports (wired in ``src/container.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol
from uuid import UUID

import attrs

from kernel.events import EventHandler


@attrs.frozen
class OutboxHandler:
    """A handler of an integration event: ``name`` identifies it in the inbox (keep it stable:
    renaming it makes every message it already processed look new to it)."""

    name: str
    handle: EventHandler


# Event name → its handlers, across the installed contexts (ContextConfig.outbox_handlers).
HandlerDirectory = Mapping[str, Sequence[OutboxHandler]]


class Transport(Protocol):
    """Gets committed outbox messages to ``delivery.deliver``: through a broker to a worker, or
    in this process."""

    def publish(self, message_ids: Sequence[UUID]) -> None:
        """Hand the messages over, or raise: a message that raised stays pending for the
        sweep. Must not block for long (it runs right after a request's commit)."""
        ...
