"""What every context's in-memory unit of work shares."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from kernel.events import Event


class InMemoryOutbox:
    """``kernel.events.Outbox`` in memory: what a unit of work records is kept (in ``events``)
    only if that unit of work commits, as the outbox table would keep it."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._staged: list[Event] = []

    def record(self, event: Event) -> None:
        self._staged.append(event)

    def keep_staged(self) -> None:
        self.events.extend(self._staged)
        self._staged.clear()

    def drop_staged(self) -> None:
        self._staged.clear()

    def names(self) -> list[str]:
        """The names of the committed events, in order."""
        return [event.name for event in self.events]


class FakeUnitOfWork:
    """Counts commits; in memory there is nothing to roll back but the outbox's events, which
    are kept only when the unit of work commits and ends without an error. Subclasses add
    repositories."""

    def __init__(self, outbox: InMemoryOutbox | None = None) -> None:
        self.commits = 0
        self._outbox = outbox or InMemoryOutbox()
        self._committed = False

    @property
    def outbox(self) -> InMemoryOutbox:
        return self._outbox

    def __enter__(self) -> Self:
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None and self._committed:
            self._outbox.keep_staged()
        else:
            self._outbox.drop_staged()

    def commit(self) -> None:
        self.commits += 1
        self._committed = True
