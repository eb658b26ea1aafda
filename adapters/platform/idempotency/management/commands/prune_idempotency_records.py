"""Delete stored idempotent responses older than a retention period (run it daily)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from adapters.platform.idempotency.models import IdempotencyRecord


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records older than --days (default 7). A retry after that "
        "runs the operation again, so keep it longer than any client retries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(days=options["days"])
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} idempotency records older than {cutoff:%Y-%m-%d}.")
