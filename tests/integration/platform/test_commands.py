"""The platform's management commands."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from adapters.platform.idempotency.models import IdempotencyRecord
from tests.factories import make_user


@pytest.mark.django_db
def test_prune_idempotency_records_keeps_the_recent_ones() -> None:
    user = make_user()
    old = IdempotencyRecord.objects.create(user=user, key="old", fingerprint="f", status_code=201)
    recent = IdempotencyRecord.objects.create(
        user=user, key="new", fingerprint="f", status_code=201
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    output = StringIO()

    call_command("prune_idempotency_records", "--days", "7", stdout=output)

    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "Deleted 1" in output.getvalue()
