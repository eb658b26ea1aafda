"""Fake outbox transports (``adapters.platform.outbox.ports.Transport``) for tests that stop at
the hand-over: what was handed over, or a broker that refuses everything."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import attrs


@attrs.define
class RecordingTransport:
    """Records every message handed over; ``announced`` those announced after a commit."""

    published: list[uuid.UUID] = attrs.field(factory=list)
    announced: list[uuid.UUID] = attrs.field(factory=list)
    drains_started: int = 0

    def publish(self, message_ids: Sequence[uuid.UUID]) -> None:
        self.published.extend(message_ids)

    def announce(self, message_ids: Sequence[uuid.UUID]) -> None:
        self.published.extend(message_ids)
        self.announced.extend(message_ids)

    def drain_starting(self) -> None:
        self.drains_started += 1


class BrokenTransport:
    """A broker that is down."""

    def publish(self, message_ids: Sequence[uuid.UUID]) -> None:
        raise ConnectionError("the broker is down")

    def announce(self, message_ids: Sequence[uuid.UUID]) -> None:
        raise ConnectionError("the broker is down")

    def drain_starting(self) -> None:
        raise ConnectionError("the broker is down")
