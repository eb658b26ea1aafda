"""The unit-of-work mechanics every context's Django unit of work shares."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from django.db import transaction

from adapters.platform.outbox.recorder import DjangoOutbox
from adapters.platform.persistence.transactions import joins_without_savepoint
from kernel.events import Outbox

# Stateless: what it records belongs to the transaction that is current when it records.
_OUTBOX = DjangoOutbox()


class DjangoUnitOfWork:
    """A database transaction that is rolled back unless ``commit()`` was called.

    Subclasses add the context's repositories as properties. Nesting is allowed: an inner unit
    of work becomes a savepoint of the outer one, except inside
    ``transactions.all_or_nothing()``, whose transaction it joins as it is (its failure, or
    leaving it without ``commit()``, then dooms the whole transaction). Integration events
    recorded in ``outbox`` are written in the same transaction and published after the
    outermost one commits.
    """

    def __init__(self) -> None:
        self._atomic: transaction.Atomic | None = None
        self._committed = False

    @property
    def outbox(self) -> Outbox:
        return _OUTBOX

    def __enter__(self) -> Self:
        self._committed = False
        self._atomic = transaction.atomic(savepoint=not joins_without_savepoint())
        self._atomic.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        atomic, self._atomic = self._atomic, None
        if atomic is None:
            raise RuntimeError("A unit of work was exited without being entered.")
        if exc_type is None and not self._committed:
            transaction.set_rollback(True)
        atomic.__exit__(exc_type, exc, traceback)

    def commit(self) -> None:
        self._committed = True
