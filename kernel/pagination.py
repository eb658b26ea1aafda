"""Keyset pagination, as plain data.

A listing takes a ``PageRequest`` (how many, and an opaque cursor from a previous page) and
returns a ``Page``. Cursors are produced and understood by the adapters; the application layer
only passes them through, so it never depends on how positions are encoded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import attrs

T = TypeVar("T")
U = TypeVar("U")


@attrs.frozen
class PageRequest:
    size: int = attrs.field(validator=attrs.validators.ge(1))
    cursor: str | None = None


@attrs.frozen
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    previous_cursor: str | None = None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.next_cursor, self.previous_cursor)
