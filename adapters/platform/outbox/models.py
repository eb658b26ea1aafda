"""The outbox (integration events waiting for their handlers) and the inbox (what each handler
has processed)."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    """``pending`` → ``published`` (handed to the broker) → ``done`` or ``failed``."""

    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """One integration event, recorded in the transaction of the change that caused it."""

    # The event's id: the inbox records (event id, handler) pairs against it.
    id = models.UUIDField(primary_key=True, editable=False)
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Delivery attempts that ran handlers (a redelivered message that finds nothing to do, or
    # a message already done, is not an attempt).
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the message was last handed to the broker (also by a retry): the sweep sends it
    # again only long after that.
    published_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweep's two queries, over the few unfinished rows only (done ones pile up).
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["published_at"],
                name="outbox_published_idx",
                condition=models.Q(status="published"),
            ),
            # The admin's list filters.
            models.Index(fields=["status", "name"], name="outbox_status_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} {self.id} ({self.status})"


class ProcessedEvent(models.Model):
    """The inbox: ``handler`` has taken effect for event ``event_id``. Inserted in the handler's
    own transaction, so it exists exactly when the handler's changes were committed."""

    event_id = models.UUIDField()
    # "<context label>.<provider name>", e.g. "identity.send_welcome_email".
    handler = models.CharField(max_length=200)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_id", "handler"], name="outbox_processed_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} processed {self.event_id}"
