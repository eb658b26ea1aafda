"""Events: what a context announces to the others, as a name, a version and primitives.

A subscriber in another context never imports the publisher's classes: it subscribes to the
event's ``name`` and reads its payload, a dict of JSON-compatible primitives. A change to a
payload that a subscriber could notice gets a new ``version``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

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
