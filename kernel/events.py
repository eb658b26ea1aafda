"""Events: what a context announces to the others, as a name, a version and primitives.

A subscriber in another context never imports the publisher's classes: it subscribes to the
event's ``name`` and reads its payload, a dict of JSON-compatible primitives. A change to a
payload that a subscriber could notice gets a new ``version``.

The same ``Event`` classes travel two ways, with different guarantees:

- **in-process** (a context's ``EventPublisher`` port, ``ContextConfig.subscriptions``): the
  subscribers run at once, inside the publisher's transaction, and commit or roll back with it;
- **integration** (``UnitOfWork.outbox``, ``ContextConfig.outbox_handlers``): the event is
  recorded in the outbox in the publisher's transaction, and its handlers run after the commit,
  in a worker, at least once; each handler takes effect once per event (the inbox). This is the
  way for side effects outside the database: email, messages to other systems.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

import attrs

Payload = Mapping[str, Any]
EventHandler = Callable[[Payload], None]


@attrs.frozen
class Event:
    """Base of every event: subclasses are ``attrs.frozen`` classes of primitive fields."""

    name: ClassVar[str]
    version: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        return attrs.asdict(self)


class Outbox(Protocol):
    """Integration events to deliver after the current unit of work commits."""

    def record(self, event: Event) -> None:
        """Keep ``event`` with the unit of work's changes: it is delivered to its handlers once
        the unit of work commits, and never if it rolls back."""
        ...
