"""Adopt the records of the table idempotency had before it became its own app.

Until the platform package was split, idempotency records lived in ``platform_idempotencyrecord``
(app label ``platform``, migration ``0001_initial``). A database migrated back then still has
that table: nothing reads or prunes it, its foreign key to the users blocks deleting a user who
has rows there, and the responses it stores must survive the upgrade (a client retrying a
credit with its old key must get the stored answer, not a second credit). This copies the rows
that the new table does not hold yet, drops the old table and forgets its migration. On a
database created after the split there is no old table, and it does nothing.
"""

from django.db import migrations

OLD_TABLE = "platform_idempotencyrecord"
NEW_TABLE = "idempotency_idempotencyrecord"
COLUMNS = "user_id, key, fingerprint, status_code, response_body, created_at"


def adopt_old_records(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        # Ids are left to the new table (no sequence to reset); a key the new table holds
        # already keeps its newer response.
        # Constant table and column names only: nothing here comes from outside.
        cursor.execute(
            f"INSERT INTO {NEW_TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD_TABLE} AS old "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {NEW_TABLE} AS new "
            "WHERE new.user_id = old.user_id AND new.key = old.key)"
        )
        cursor.execute(f"DROP TABLE {OLD_TABLE}")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'platform'")


class Migration(migrations.Migration):
    dependencies = [("idempotency", "0001_initial")]

    operations = [migrations.RunPython(adopt_old_records, migrations.RunPython.noop)]
