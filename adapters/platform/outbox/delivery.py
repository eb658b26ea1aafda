"""Delivering one outbox message: every handler of its event, each once (the inbox).

Runs in a worker (the ``outbox.deliver`` task, ``tasks.py``) or, with no broker configured, in
the process that committed the message (``relay.InProcessTransport``). What to do after a
failed attempt (retry later, or give up) is the caller's: only it knows whether a later
attempt can be scheduled.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

import attrs
from dependency_injector.wiring import Provide, inject
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from adapters.platform.outbox.container import OutboxContainer
from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status
from adapters.platform.outbox.policy import RetryPolicy
from adapters.platform.outbox.ports import HandlerDirectory, OutboxHandler

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
    message = OutboxMessage.objects.filter(pk=message_id).exclude(status__in=FINISHED).first()
    if message is None:
        return NOTHING_TO_DO
    OutboxMessage.objects.filter(pk=message_id).update(attempts=F("attempts") + 1)
    attempts = message.attempts + 1
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


def _handle_once(message: OutboxMessage, handler: OutboxHandler, *, finish: bool) -> None:
    """Run ``handler`` once per message (the inbox claim), in one transaction; with
    ``finish``, the message is marked done in the same transaction."""
    with transaction.atomic():
        try:
            # A savepoint of its own: only the claim's own IntegrityError means "done before"
            # (one raised by the handler is a failure like any other).
            with transaction.atomic():
                ProcessedEvent.objects.create(event_id=message.id, handler=handler.name)
        except IntegrityError:
            pass  # processed by an earlier delivery of this message
        else:
            with _delivering(message.id, handler.name):
                handler.handle(message.payload)
        if finish:
            _finish(message.id, Status.DONE)


def _describe(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)).strip()


def give_up(message_id: UUID) -> None:
    """Mark the message ``failed``: no further attempt is scheduled (the admin can retry)."""
    _finish(message_id, Status.FAILED)
    logger.error("outbox: message %s failed for good; retry it from the admin", message_id)


def _finish(message_id: UUID, status: Status) -> None:
    OutboxMessage.objects.filter(pk=message_id).exclude(status__in=FINISHED).update(
        status=status, finished_at=timezone.now()
    )


def note_retry_scheduled(message_id: UUID) -> None:
    """A retry of the message was handed to the broker now: the sweep leaves it alone until
    ``OUTBOX_REDELIVER_AFTER_SECONDS`` after this."""
    OutboxMessage.objects.filter(
        pk=message_id, status__in=[Status.PENDING, Status.PUBLISHED]
    ).update(status=Status.PUBLISHED, published_at=timezone.now())
