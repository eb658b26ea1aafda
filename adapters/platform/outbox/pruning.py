"""Forgetting delivered outbox messages and their inbox records (``OUTBOX_RETENTION_DAYS``).

Only ``done`` messages go: a ``failed`` one stays for the admin to look at and retry. The inbox
records of a deleted message go with it; that is safe because delivery looks the message up
first (``delivery.deliver``), so a very late redelivery of a pruned message finds nothing to do
rather than an empty inbox.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status

BATCH = 1000  # rows per statement: each batch is short, so it never holds locks for long


def prune_delivered_messages(*, older_than: timedelta) -> int:
    """Delete the messages done more than ``older_than`` ago, with their inbox records;
    how many messages."""
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.filter(status=Status.DONE, finished_at__lt=cutoff)
                .order_by("finished_at")
                .values_list("id", flat=True)[:BATCH]
            )
            if not ids:
                return deleted
            ProcessedEvent.objects.filter(event_id__in=ids).delete()
            OutboxMessage.objects.filter(id__in=ids).delete()
        deleted += len(ids)
