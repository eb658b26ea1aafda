"""Idempotency's periodic job, for ``celery beat`` (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from adapters.platform.idempotency.pruning import prune_idempotency_records

PRUNE = "idempotency.prune_records"


@shared_task(name=PRUNE, ignore_result=True)
def prune_records() -> int:
    """What ``manage.py prune_idempotency_records`` does, with the configured retention."""
    deleted, _ = prune_idempotency_records(
        older_than=timedelta(days=settings.IDEMPOTENCY_RETENTION_DAYS)
    )
    return deleted
