"""Stored responses of idempotent requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a request made with an ``Idempotency-Key``, kept so that a replay
    returns it instead of doing the work again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and canonical JSON body: the same key with another request is a 422.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # The rendered JSON, byte for byte (a JSON column would reorder keys on PostgreSQL).
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"key {self.key!r} of user #{self.user_id} → {self.status_code}"
