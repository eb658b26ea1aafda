"""Delivering one outbox message: every handler of its event, each once (the inbox).

Runs in a worker (the ``outbox.deliver`` task, ``tasks.py``) or, with no broker configured, in
the process that committed the message (``relay.InProcessTransport``). What to do after a
failed attempt (retry later, or give up) is the caller's: only it knows whether a later
attempt can be scheduled.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

import attrs
from dependency_injector.wiring import Provide, inject
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from adapters.platform.outbox.container import OutboxContainer
from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status
from adapters.platform.outbox.policy import RetryPolicy
from adapters.platform.outbox.ports import HandlerDirectory, OutboxHandler
from adapters.platform.persistence.inserts import RowInsert

logger = logging.getLogger(__name__)

FINISHED = (Status.DONE, Status.FAILED)
# What the admin shows of a failure; the log line has the whole traceback.
ERROR_TEXT_LIMIT = 10_000


@attrs.frozen
class Attempt:
    """What one call of ``deliver`` did."""

    ran: bool  # False: unknown message id, or already finished (nothing was done)
    failed: bool = False  # a handler raised: its changes were rolled back
    attempts: int = 0  # attempts so far, this one included


NOTHING_TO_DO = Attempt(ran=False)


@attrs.frozen
class _Message:
    """What a delivery needs of an outbox row."""

    id: UUID
    name: str
    payload: Any
    attempts: int  # this attempt included


# The inbox claim: a row inserted, or none when (event, handler) was processed before. ON
# CONFLICT instead of catching IntegrityError in a savepoint: two round trips fewer per handler.
_CLAIM = RowInsert(
    ProcessedEvent,
    ["event_id", "handler", "processed_at"],
    ignore_conflicts_on=["event_id", "handler"],
)

# (message id, handler name) of the handler running now, for side effects that leave the
# database: an email's Message-ID is derived from it, so that the copy a redelivery may send
# (the worker died after the SMTP server took the email, before the inbox claim committed) is
# recognisably the same email, and mail systems drop it.
_current_delivery: ContextVar[tuple[UUID, str] | None] = ContextVar(
    "outbox_current_delivery", default=None
)


def current_delivery() -> tuple[UUID, str] | None:
    """(message id, handler name) while an outbox handler runs; None anywhere else."""
    return _current_delivery.get()


@contextmanager
def _delivering(message_id: UUID, handler_name: str) -> Iterator[None]:
    reset_token = _current_delivery.set((message_id, handler_name))
    try:
        yield
    finally:
        _current_delivery.reset(reset_token)


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        backoff_seconds=settings.OUTBOX_RETRY_BACKOFF_SECONDS,
        backoff_max_seconds=settings.OUTBOX_RETRY_BACKOFF_MAX_SECONDS,
    )


@inject
def deliver(
    message_id: UUID,
    *,
    handlers: HandlerDirectory = Provide[OutboxContainer.handlers],
) -> Attempt:
    """Run each handler subscribed to the message's event that has not processed it yet.

    Each handler runs in its own transaction, which first claims (event id, handler) in the
    inbox: a claim that exists means the handler already took effect (committed), and it is
    skipped; a handler that raises rolls its claim back with its changes. The message is
    ``done`` once no handler failed. Unknown and finished messages are left alone.
    """
    message = _start_attempt(message_id)
    if message is None:
        return NOTHING_TO_DO
    attempts = message.attempts
    errors: list[str] = []
    subscribed = list(handlers.get(message.name, ()))
    for index, handler in enumerate(subscribed):
        # The last handler, if all went well so far, marks the message done in its own
        # transaction: one commit fewer per delivery (bench/outbox.py).
        finishing = index == len(subscribed) - 1 and not errors
        try:
            _handle_once(message, handler, finish=finishing)
        except Exception as error:
            logger.warning(
                "outbox: handler %s failed on %s %s (attempt %d)",
                handler.name,
                message.name,
                message.id,
                attempts,
                exc_info=True,
            )
            errors.append(f"{handler.name}: {_describe(error)}")
    if errors:
        error_text = "\n\n".join(errors)[:ERROR_TEXT_LIMIT]
        OutboxMessage.objects.filter(pk=message_id).update(last_error=error_text)
        return Attempt(ran=True, failed=True, attempts=attempts)
    if not subscribed:
        _finish(message_id, Status.DONE)
    return Attempt(ran=True, attempts=attempts)


def _start_attempt(message_id: UUID) -> _Message | None:
    """Count an attempt on the message and read it, in one statement; None when it is unknown
    or finished. The count is committed before any handler runs, so that a message whose
    handler kills its worker still reaches OUTBOX_MAX_ATTEMPTS."""
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('attempts')} = {quote('attempts')} + 1 "  # noqa: S608  (identifiers from the model, values as parameters)
        f"WHERE {quote('id')} = %s AND {quote('status')} NOT IN (%s, %s) "
        f"RETURNING {quote('name')}, {quote('payload')}, {quote('attempts')}"
    )
    identifier = meta.get_field("id").get_db_prep_value(message_id, connection)
    # One statement: in autocommit mode (a worker) it commits by itself, no BEGIN/COMMIT.
    with connection.cursor() as cursor:
        cursor.execute(sql, [identifier, Status.DONE.value, Status.FAILED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    name, payload, attempts = row
    # Raw rows carry JSON as text (SQLite, and psycopg as Django configures it).
    decoded = json.loads(payload) if isinstance(payload, (str, bytes)) else payload
    return _Message(id=message_id, name=name, payload=decoded, attempts=int(attempts))


def _handle_once(message: _Message, handler: OutboxHandler, *, finish: bool) -> None:
    """Run ``handler`` once per message (the inbox claim), in one transaction; with
    ``finish``, the message is marked done in the same transaction."""
    with transaction.atomic():
        if _CLAIM.execute([message.id, handler.name, timezone.now()]):
            with _delivering(message.id, handler.name):
                handler.handle(message.payload)
        # else: processed by an earlier delivery of this message
        if finish:
            _finish(message.id, Status.DONE)


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)).strip()


def give_up(message_id: UUID) -> None:
    """Mark the message ``failed``: no further attempt is scheduled (the admin can retry)."""
    _finish(message_id, Status.FAILED)
    logger.error("outbox: message %s failed for good; retry it from the admin", message_id)


def _finish(message_id: UUID, status: Status) -> None:
    """Mark an unfinished message ``status``. One precompiled statement: it runs once per
    delivery, and the ORM would build it anew each time (bench/outbox.py)."""
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('status')} = %s, {quote('finished_at')} = %s "  # noqa: S608  (identifiers from the model, values as parameters)
        f"WHERE {quote('id')} = %s AND {quote('status')} NOT IN (%s, %s)"
    )
    parameters = [
        status.value,
        meta.get_field("finished_at").get_db_prep_value(timezone.now(), connection),
        meta.get_field("id").get_db_prep_value(message_id, connection),
        Status.DONE.value,
        Status.FAILED.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def note_retry_scheduled(message_id: UUID) -> None:
    """A retry of the message was handed to the broker now: the sweep leaves it alone until
    ``OUTBOX_REDELIVER_AFTER_SECONDS`` after this."""
    OutboxMessage.objects.filter(
        pk=message_id, status__in=[Status.PENDING, Status.PUBLISHED]
    ).update(status=Status.PUBLISHED, published_at=timezone.now())


def claim_pending(limit: int) -> list[UUID]:
    """Mark up to ``limit`` pending messages ``published``, oldest first, and return their ids:
    one drain's share, committed at once (a worker runs in autocommit mode). Drains running side
    by side on PostgreSQL skip each other's rows (SKIP LOCKED) instead of waiting for them; a
    drain that dies with a share leaves it to the sweep (OUTBOX_REDELIVER_AFTER_SECONDS)."""
    meta = OutboxMessage._meta
    quote = connection.ops.quote_name
    table, status, id_ = quote(meta.db_table), quote("status"), quote("id")
    created = quote("created_at")
    skip_locked = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    sql = (
        f"UPDATE {table} SET {status} = %s, {quote('published_at')} = %s "  # noqa: S608  (identifiers from the model, values as parameters)
        f"WHERE {id_} IN (SELECT {id_} FROM {table} WHERE {status} = %s "
        f"ORDER BY {created} LIMIT %s{skip_locked}) RETURNING {id_}, {created}"
    )
    published_at = meta.get_field("published_at").get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.PUBLISHED.value, published_at, Status.PENDING.value, limit])
        rows = cursor.fetchall()
    # RETURNING comes in no particular order: oldest first again (the creation times sort as
    # they are, datetimes on PostgreSQL, ISO text on SQLite). PostgreSQL returns UUIDs, SQLite
    # their hex text.
    rows.sort(key=lambda row: row[1])
    return [row[0] if isinstance(row[0], UUID) else UUID(row[0]) for row in rows]


def release(message_ids: Sequence[UUID]) -> None:
    """Give messages a drain claimed but did not deliver back to ``pending``, for the next."""
    OutboxMessage.objects.filter(pk__in=list(message_ids), status=Status.PUBLISHED).update(
        status=Status.PENDING, published_at=None
    )
