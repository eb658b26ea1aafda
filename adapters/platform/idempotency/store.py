"""Reading and writing ``IdempotencyRecord`` rows for ``@idempotent``.

The first answer to a key is stored by one statement that is also the claim of the key:
``INSERT ... ON CONFLICT (user, key) DO NOTHING``, whose row count says whether this request
stored it (1) or another one did first (0). No savepoint is needed to survive the conflict (an
``IntegrityError`` would abort a PostgreSQL transaction), and no ``SELECT`` runs before it: the
``SELECT`` happens only when the insert found a record. On PostgreSQL an insert that meets the
uncommitted row of a concurrent twin waits for its transaction: a commit makes the conflict,
a rollback lets the insert through. SQLite serializes write transactions (IMMEDIATE) and never
gets there. The statement is the same on both (SQLite has had ``ON CONFLICT`` since 3.24).
"""

from __future__ import annotations

import attrs
from django.utils import timezone

from adapters.platform.idempotency.models import IdempotencyRecord
from adapters.platform.persistence.inserts import RowInsert

# The claim and the answer in one row; the conflict is the idempotency_key_unique constraint.
_STORE = RowInsert(
    IdempotencyRecord,
    ["user", "key", "fingerprint", "status_code", "response_body", "created_at"],
    ignore_conflicts_on=["user", "key"],
)


@attrs.frozen
class StoredAnswer:
    """What a key's first request answered, and which request that was."""

    fingerprint: str
    status_code: int
    body: str


def store_first_answer(
    *, user_id: int, key: str, fingerprint: str, status_code: int, body: str
) -> bool:
    """Store the answer to the key, unless a record of it exists (or a concurrent request's
    commits meanwhile): True if this call stored it. Runs in the caller's transaction."""
    return _STORE.execute([user_id, key, fingerprint, status_code, body, timezone.now()]) == 1


def stored_answer(*, user_id: int, key: str) -> StoredAnswer:
    """The committed record of the key (``store_first_answer`` returned False for it)."""
    fingerprint, status_code, body = IdempotencyRecord.objects.values_list(
        "fingerprint", "status_code", "response_body"
    ).get(user_id=user_id, key=key)
    return StoredAnswer(fingerprint, status_code, body)
