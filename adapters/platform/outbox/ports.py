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
        """Hand these messages over, each for delivery, or raise (the sweep sends them again).
        The sweep and the admin's retry use it."""
        ...

    def announce(self, message_ids: Sequence[UUID]) -> None:
        """The messages were just committed: see that they are delivered soon, or raise (they
        stay pending for the sweep). Runs right after a request's commit: must not block for
        long. A transport may deliver them in batches rather than one by one."""
        ...

    def drain_starting(self) -> None:
        """A drain (``tasks.drain``) is about to claim pending messages: what is committed
        from now on needs a drain of its own."""
        ...
