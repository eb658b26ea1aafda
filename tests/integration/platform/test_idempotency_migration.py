"""Migration idempotency.0002 adopts the records of the table idempotency had before it became
its own app (``platform_idempotencyrecord``), and does nothing where that table never was."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from adapters.platform.idempotency.models import IdempotencyRecord
from tests.factories import make_user

pytestmark = pytest.mark.django_db

migration = import_module("adapters.platform.idempotency.migrations.0002_adopt_platform_records")
OLD_COLUMNS = (
    "id integer PRIMARY KEY, user_id bigint NOT NULL, key varchar(255) NOT NULL, "
    "fingerprint varchar(64) NOT NULL, status_code smallint NOT NULL, "
    "response_body text NOT NULL, created_at timestamp with time zone NOT NULL"
)


def adopt() -> None:
    migration.adopt_old_records(None, SimpleNamespace(connection=connection))


def tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def test_old_records_are_copied_once_and_the_old_table_dropped() -> None:
    user = make_user()
    now = timezone.now()
    IdempotencyRecord.objects.create(
        user=user, key="both", fingerprint="new", status_code=201, response_body="{}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {migration.OLD_TABLE} ({OLD_COLUMNS})")
        for number, key in enumerate(["old-only", "both"], start=1):
            cursor.execute(
                f"INSERT INTO {migration.OLD_TABLE} VALUES (%s, %s, %s, 'old', 201, '{{}}', %s)",  # noqa: S608
                [number, user.pk, key, now],
            )
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('platform', '0001_initial', %s)",
            [now],
        )

    adopt()

    records = {record.key: record.fingerprint for record in IdempotencyRecord.objects.all()}
    assert records == {"old-only": "old", "both": "new"}
    assert migration.OLD_TABLE not in tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'platform'")
        assert cursor.fetchone() == (0,)


def test_without_the_old_table_it_changes_nothing() -> None:
    user = make_user()
    IdempotencyRecord.objects.create(
        user=user, key="k", fingerprint="f", status_code=200, response_body="{}"
    )

    adopt()

    assert IdempotencyRecord.objects.count() == 1
