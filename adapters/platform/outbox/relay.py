"""Getting committed outbox messages to their handlers: right after the commit, and in a
periodic sweep for whatever that missed.

``publish`` never raises and never retries: it runs right after a request's commit, and a
broker that is down must cost that request one short, failed attempt, not an error. What it
could not hand over stays ``pending``, and ``sweep`` (``celery beat``, every
``OUTBOX_SWEEP_INTERVAL_SECONDS``) sends it again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from dependency_injector.wiring import Provide, inject
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from adapters.platform.outbox import delivery
from adapters.platform.outbox.container import OutboxContainer
from adapters.platform.outbox.models import OutboxMessage, Status
from adapters.platform.outbox.ports import Transport

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
_UNFINISHED = (Status.PENDING, Status.PUBLISHED)
_TABLE = OutboxMessage._meta.db_table


@inject
def publish(
    message_ids: Sequence[UUID],
    *,
    transport: Transport = Provide[OutboxContainer.transport],
) -> bool:
    """Hand committed messages to the transport and mark them ``published``; False (and a
    warning) if the transport refused them, which leaves them to the sweep."""
    if not message_ids:
        return True
    if not _handed_over(transport.publish, message_ids):
        return False
    try:
        _mark_published(message_ids)
    except DatabaseError:
        # Sent all the same; a row left pending is sent again by the sweep (the inbox makes
        # that second delivery harmless).
        logger.warning("outbox: published, but could not mark it so", exc_info=True)
    return True


def _mark_published(message_ids: Sequence[UUID]) -> None:
    """Mark the messages ``published`` (only those still unfinished: a worker may have
    delivered one already).

    On PostgreSQL the mark is committed without waiting for its WAL flush
    (``synchronous_commit`` off, for this statement's transaction only): it runs after every
    publishing request's commit, where a flush costs that request about half a millisecond
    (bench/writes.py). The mark is only the sweep's hint that the message was handed over; a
    database crash that loses it leaves the row pending, and the sweep sends it again, which
    the inbox makes harmless. A later commit that is flushed (the worker's ``done``) flushes it
    too, so it can never undo a later change.
    """
    ids = list(message_ids)
    now = timezone.now()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # SQLite (WAL, synchronous=NORMAL) does not flush per commit anyway; inside a
        # transaction the setting would outlive this statement.
        OutboxMessage.objects.filter(pk__in=ids, status__in=_UNFINISHED).update(
            status=Status.PUBLISHED, published_at=now
        )
        return
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            # set_config in FROM runs once, before the rows are updated; is_local=true limits
            # it to this statement's (autocommit) transaction.
            f"UPDATE {_TABLE} SET status = %s, published_at = %s "  # noqa: S608  (constant identifiers, values as parameters)
            "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed "
            f"WHERE id IN ({placeholders}) AND status IN (%s, %s)",
            [Status.PUBLISHED.value, now, *ids, *(status.value for status in _UNFINISHED)],
        )


def publish_after_commit(message_id: UUID) -> None:
    """The ``transaction.on_commit`` callback of ``DjangoOutbox.record``."""
    announce([message_id])


@inject
def announce(
    message_ids: Sequence[UUID],
    *,
    transport: Transport = Provide[OutboxContainer.transport],
) -> bool:
    """Tell the transport that messages were committed; False (and a warning) if it refused,
    which leaves them pending for the sweep. Never raises."""
    return _handed_over(transport.announce, message_ids)


def _handed_over(hand_over: Callable[[Sequence[UUID]], None], message_ids: Sequence[UUID]) -> bool:
    """``hand_over(message_ids)``; False, and a warning, if the broker refused them."""
    try:
        hand_over(message_ids)
    except Exception as error:  # whatever the broker's client raises: not the request's fault
        # One line, no traceback: during an outage every committing request logs it.
        logger.warning(
            "outbox: could not publish %d message(s); the sweep will send them again (%s: %s)",
            len(message_ids),
            type(error).__name__,
            error,
        )
        return False
    return True


@inject
def drain_starting(*, transport: Transport = Provide[OutboxContainer.transport]) -> None:
    """See ``Transport.drain_starting``; a failure only means an extra drain later."""
    try:
        transport.drain_starting()
    except Exception:  # the broker's client: the next announce queues a drain anyway
        logger.warning("outbox: could not note the drain's start", exc_info=True)


def due_for_sweep(now: datetime | None = None, *, limit: int = SWEEP_BATCH) -> list[UUID]:
    """Messages the relay should send (again): pending for longer than
    ``OUTBOX_SWEEP_AFTER_SECONDS`` (their process died after the commit, or the broker was
    down), and published longer than ``OUTBOX_REDELIVER_AFTER_SECONDS`` ago but unfinished
    (the worker was lost, or its retry could not be scheduled). Oldest first."""
    now = now or timezone.now()
    pending_since = now - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    published_since = now - timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER_SECONDS)
    pending = OutboxMessage.objects.filter(
        status=Status.PENDING, created_at__lt=pending_since
    ).order_by("created_at")
    lost = OutboxMessage.objects.filter(
        status=Status.PUBLISHED, published_at__lt=published_since
    ).order_by("published_at")
    due = list(pending.values_list("pk", flat=True)[:limit])
    due += lost.values_list("pk", flat=True)[: max(limit - len(due), 0)]
    return due


def sweep(now: datetime | None = None) -> int:
    """Send again what ``due_for_sweep`` finds; the number of messages handed over."""
    due = due_for_sweep(now)
    if due and publish(due):
        logger.info("outbox sweep: sent %d message(s) again", len(due))
        return len(due)
    return 0


def retry_failed(message_ids: Sequence[UUID]) -> int:
    """Give failed messages a new series of attempts (the admin's "retry" action): back to
    ``pending`` with no attempt counted, and published at once. Their last error stays."""
    failed = OutboxMessage.objects.filter(pk__in=list(message_ids), status=Status.FAILED)
    reset_ids = list(failed.values_list("pk", flat=True))
    reset = OutboxMessage.objects.filter(pk__in=reset_ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, finished_at=None, published_at=None
    )
    # After the commit, if there is a transaction: a worker must find them pending.
    transaction.on_commit(functools.partial(publish, reset_ids), robust=True)
    return reset


class InProcessTransport:
    """No broker configured (development, most tests): deliver in this process, at once.

    There is no worker to retry a failure later, so a failed handler makes its message
    ``failed`` straight away (logged, and visible in the admin, whose "retry" action runs it
    again).
    """

    def announce(self, message_ids: Sequence[UUID]) -> None:
        self.publish(message_ids)

    def drain_starting(self) -> None:
        """Nothing to note: messages are delivered as they are announced."""

    def publish(self, message_ids: Sequence[UUID]) -> None:
        for message_id in message_ids:
            try:
                attempt = delivery.deliver(message_id)
            except Exception:
                # The database, most likely: the message stays as it was.
                logger.exception("outbox: could not deliver %s in-process", message_id)
                continue
            if attempt.failed:
                delivery.give_up(message_id)
