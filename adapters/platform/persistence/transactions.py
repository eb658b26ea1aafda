"""One transaction for a whole operation, in which nested units of work take no savepoint.

A unit of work nested in another transaction normally becomes a savepoint of it, so that its
failure can be undone alone: on PostgreSQL that is a ``SAVEPOINT`` and a ``RELEASE`` round
trip per unit of work, on the critical path of every write. An operation whose every failure
is answered by rolling back all of it (``@idempotent``: a server error is re-raised, a client
error is answered, and stored, after the rollback) has no use for them, and runs its
units of work in ``all_or_nothing()`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_all_or_nothing: ContextVar[bool] = ContextVar("persistence_all_or_nothing", default=False)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A transaction (``transaction.atomic()``) that the units of work entered inside it join
    without a savepoint.

    The price of the savepoints saved: an error raised inside a unit of work, or a unit of
    work left without ``commit()``, marks the whole transaction for rollback (Django's
    ``transaction.get_rollback()`` is then true, and any further query in it fails). The code
    inside must not catch a unit of work's error and go on writing; the caller checks
    ``get_rollback()`` before writing anything after the block's work.
    """
    with transaction.atomic():
        # Set inside the block and reset before it ends: the commit's on_commit callbacks
        # (in-process outbox delivery, with transactions of their own) run after the reset.
        token = _all_or_nothing.set(True)
        try:
            yield
        finally:
            _all_or_nothing.reset(token)


def joins_without_savepoint() -> bool:
    """True inside ``all_or_nothing()``'s transaction: a unit of work joins it as it is."""
    return _all_or_nothing.get() and transaction.get_connection().in_atomic_block
