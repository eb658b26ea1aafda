"""The outbox's Celery tasks, found by the worker's task autodiscovery (``src/celery.py``).

Imported by worker and beat processes only: nothing on a request's path imports Celery.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from celery import Task, shared_task
from django.conf import settings

from adapters.platform.outbox import delivery, relay
from adapters.platform.outbox.pruning import prune_delivered_messages

DELIVER = "outbox.deliver"
SWEEP = "outbox.sweep"
PRUNE = "outbox.prune"


@shared_task(name=DELIVER, bind=True, ignore_result=True, max_retries=None)
def deliver(self: Task[Any, Any], message_id: str) -> None:
    """Deliver one outbox message; a failure is retried with backoff
    (``delivery.retry_policy``), and the last one marks the message ``failed``."""
    identifier = UUID(message_id)
    attempt = delivery.deliver(identifier)
    if not attempt.failed:
        return
    countdown = delivery.retry_policy().countdown(attempt.attempts)
    if countdown is None:
        delivery.give_up(identifier)
        return
    delivery.note_retry_scheduled(identifier)
    raise self.retry(countdown=countdown, max_retries=None)


@shared_task(name=SWEEP, ignore_result=True)
def sweep() -> int:
    """Send again what the relay missed (``relay.sweep``); run by beat every few seconds."""
    return relay.sweep()


@shared_task(name=PRUNE, ignore_result=True)
def prune() -> int:
    """Delete messages delivered more than ``OUTBOX_RETENTION_DAYS`` ago (and their inbox
    records); run by beat daily."""
    return prune_delivered_messages(older_than=timedelta(days=settings.OUTBOX_RETENTION_DAYS))
