"""Forgetting old ``Idempotency-Key`` responses: a retry after that runs the operation again,
so the retention must outlast any client's retries (``IDEMPOTENCY_RETENTION_DAYS``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from adapters.platform.idempotency.models import IdempotencyRecord


def prune_idempotency_records(*, older_than: timedelta) -> tuple[int, datetime]:
    """Delete the records created more than ``older_than`` ago: (how many, the cutoff)."""
    cutoff = timezone.now() - older_than
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted, cutoff
