"""In-process event dispatch between contexts, wired in the composition root.

Handlers run synchronously, inside the publisher's unit of work: the publisher's change and
every subscriber's reaction commit or roll back together. Subscribers are found by event name
(``kernel.events``) and receive the payload: no context imports another's event classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kernel.events import Event, EventHandler


class EventBus:
    def __init__(self, *, handlers: Mapping[str, Sequence[EventHandler]]) -> None:
        self._handlers = {name: tuple(subscribed) for name, subscribed in handlers.items()}

    def publish(self, event: Event) -> None:
        handlers = self._handlers.get(event.name, ())
        if handlers:
            payload = event.payload()
            for handler in handlers:
                handler(payload)
