"""In-process event dispatch between contexts, wired in the composition root.

Handlers run synchronously, inside the publisher's unit of work: the publisher's change and
every subscriber's reaction commit or roll back together. (A context that must react later or
elsewhere would subscribe through an outbox instead; none needs to yet.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type, handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def publish(self, event: object) -> None:
        for handler in self._handlers.get(type(event), []):
            handler(event)
