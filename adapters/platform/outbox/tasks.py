"""The outbox's Celery tasks, found by the worker's task autodiscovery (``src/celery.py``).

Imported by worker and beat processes only: nothing on a request's path imports Celery.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from time import monotonic
from typing import Any
from uuid import UUID

from celery import Task, shared_task
from django.conf import settings

from adapters.platform.outbox import delivery, relay
from adapters.platform.outbox.pruning import prune_delivered_messages

logger = logging.getLogger(__name__)

DRAIN_SHARE = 20  # messages a drain claims at once: what a drain killed mid-share delays
# Then a new drain takes over, so that no task runs for ever: checked before each message, so
# a drain lasts at most this plus one delivery (one SMTP exchange, EMAIL_TIMEOUT_SECONDS),
# well inside CELERY_TASK_SOFT_TIME_LIMIT.
DRAIN_SECONDS = 10.0

DELIVER = "outbox.deliver"
DRAIN = "outbox.drain"
SWEEP = "outbox.sweep"
PRUNE = "outbox.prune"


@shared_task(name=DELIVER, bind=True, ignore_result=True, max_retries=None)
def deliver(self: Task[Any, Any], message_id: str) -> None:
    """Deliver one outbox message; a failure is retried with backoff
    (``delivery.retry_policy``), and the last one marks the message ``failed``."""
    identifier = UUID(message_id)
    countdown = _deliver_once(identifier)
    if countdown is None:
        return
    delivery.note_retry_scheduled(identifier)
    raise self.retry(countdown=countdown, max_retries=None)


@shared_task(name=DRAIN, ignore_result=True)
def drain() -> int:
    """Deliver pending messages in shares of DRAIN_SHARE until none is left (or for at most
    DRAIN_SECONDS, then hand over to a new drain): the tasks that ``announce`` queues, one for
    many messages. A full share may mean more are waiting, so another drain is announced to
    share them (the next worker process takes it). A message whose delivery failed gets an
    ``outbox.deliver`` retry of its own, with the backoff. Returns how many it delivered."""
    relay.drain_starting()
    delivered = 0
    deadline = monotonic() + DRAIN_SECONDS
    while monotonic() < deadline:
        share = delivery.claim_pending(DRAIN_SHARE)
        if not share:
            return delivered
        if len(share) == DRAIN_SHARE:
            relay.announce([])  # more may wait: a second drain shares them
        for index, identifier in enumerate(share):
            if monotonic() >= deadline:
                # A slow handler (an SMTP server taking its time) must not carry the drain
                # into the task's time limit: the rest of the share goes back to pending.
                delivery.release(share[index:])
                break
            countdown = _deliver_once(identifier)
            if countdown is not None:
                _schedule_retry(identifier, countdown)
            delivered += 1
    relay.announce([])  # time is up, not the work: a new drain goes on
    return delivered


def _deliver_once(identifier: UUID) -> float | None:
    """Deliver; the countdown of the retry a failure calls for (None: delivered, nothing to
    do, or given up for good)."""
    attempt = delivery.deliver(identifier)
    if not attempt.failed:
        return None
    countdown = delivery.retry_policy().countdown(attempt.attempts)
    if countdown is None:
        delivery.give_up(identifier)
    return countdown


def _schedule_retry(identifier: UUID, countdown: float) -> None:
    try:
        deliver.apply_async(args=(str(identifier),), countdown=countdown, retry=False)
    except Exception:  # the broker: the sweep sends it after OUTBOX_REDELIVER_AFTER_SECONDS
        logger.warning("outbox: could not schedule a retry of %s", identifier, exc_info=True)
        return
    delivery.note_retry_scheduled(identifier)


@shared_task(name=SWEEP, ignore_result=True)
def sweep() -> int:
    """Send again what the relay missed (``relay.sweep``); run by beat every few seconds."""
    return relay.sweep()


@shared_task(name=PRUNE, ignore_result=True)
def prune() -> int:
    """Delete messages delivered more than ``OUTBOX_RETENTION_DAYS`` ago (and their inbox
    records); run by beat daily."""
    return prune_delivered_messages(older_than=timedelta(days=settings.OUTBOX_RETENTION_DAYS))
