"""Delete stored idempotent responses older than a retention period (beat runs it daily)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from adapters.platform.idempotency.pruning import prune_idempotency_records


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records older than --days (default IDEMPOTENCY_RETENTION_DAYS, "
        "7). A retry after that runs the operation again, so keep it longer than any client "
        "retries."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.IDEMPOTENCY_RETENTION_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, cutoff = prune_idempotency_records(older_than=timedelta(days=options["days"]))
        self.stdout.write(f"Deleted {deleted} idempotency records older than {cutoff:%Y-%m-%d}.")
