"""The unit-of-work port every context's own extends with its repositories."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from kernel.events import Outbox


class UnitOfWork(Protocol):
    """One atomic piece of work: everything done between entering and ``commit()`` is kept,
    or none of it (leaving without ``commit()``, or with an exception, rolls back)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    @property
    def outbox(self) -> Outbox:
        """Where the unit of work records integration events (``kernel.events.Outbox``)."""
        ...
