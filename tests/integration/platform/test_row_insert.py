"""``RowInsert`` (adapters/platform/persistence/inserts.py): the precompiled single-row insert
of the write path stores what ``Model.objects.create()`` would, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from adapters.platform.idempotency.models import IdempotencyRecord
from adapters.platform.outbox.models import OutboxMessage, Status
from adapters.platform.persistence.inserts import RowInsert
from tests.factories import make_user

pytestmark = pytest.mark.django_db

RECORD_FIELDS = ["user", "key", "fingerprint", "status_code", "response_body", "created_at"]


def test_values_are_prepared_as_the_orm_prepares_them() -> None:
    """A UUID, JSON, an aware datetime and NULLs come back as the ORM wrote them."""
    insert = RowInsert(
        OutboxMessage,
        ["id", "name", "version", "payload", "status", "attempts", "last_error", "created_at",
         "published_at", "finished_at"],
    )  # fmt: skip
    message_id, now = uuid.uuid4(), timezone.now()
    payload = {"invoice_id": 7, "note": "é ✓", "nested": [1, None, True]}

    inserted = insert.execute(
        [message_id, "tests.inserted", 3, payload, Status.PENDING.value, 0, "", now, None, None]
    )

    assert inserted == 1
    message = OutboxMessage.objects.get()
    assert (message.id, message.name, message.version) == (message_id, "tests.inserted", 3)
    assert message.payload == payload
    assert (message.status, message.created_at, message.published_at) == ("pending", now, None)


def test_the_primary_key_is_returned() -> None:
    insert = RowInsert(IdempotencyRecord, RECORD_FIELDS)
    user = make_user()

    first = insert.execute_returning_pk([user.pk, "a", "f", 201, "{}", timezone.now()])
    second = insert.execute_returning_pk([user.pk, "b", "f", 201, "{}", timezone.now()])

    assert [first, second] == list(
        IdempotencyRecord.objects.order_by("key").values_list("pk", flat=True)
    )


def test_an_ignored_conflict_inserts_nothing_and_says_so() -> None:
    insert = RowInsert(IdempotencyRecord, RECORD_FIELDS, ignore_conflicts_on=["user", "key"])
    user = make_user()

    counts = [insert.execute([user.pk, "k", f"f{n}", 201, "{}", timezone.now()]) for n in (1, 2)]

    assert counts == [1, 0]
    assert IdempotencyRecord.objects.get().fingerprint == "f1"
    with pytest.raises(TypeError, match="no primary key to return"):
        insert.execute_returning_pk([user.pk, "other", "f", 201, "{}", timezone.now()])
