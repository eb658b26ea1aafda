"""A single-row ``INSERT`` compiled once, for the rows every write request adds.

``Model.objects.create()`` builds a model instance, sends ``pre_save``/``post_save`` and compiles
the statement again on every call: about 0.3 ms of CPU for a row that a money-moving request
writes each time (the outbox message, the idempotency record; bench/writes.py). ``RowInsert``
compiles the statement once per database vendor and prepares each value as the ORM would
(``Field.get_db_prep_save``: UUIDs, JSON, datetimes in the database's own form). It is for
models without save signals or field defaults that matter: the caller passes every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


class RowInsert:
    """``INSERT INTO <model's table> (<fields>) VALUES (...)``, optionally ``ON CONFLICT
    (<conflict_fields>) DO NOTHING`` (PostgreSQL, and SQLite since 3.24)."""

    def __init__(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        ignore_conflicts_on: Sequence[str] = (),
    ) -> None:
        self._model = model
        self._names = tuple(fields)
        self._conflict_names = tuple(ignore_conflicts_on)
        self._fields: tuple[models.Field[object, object], ...] = ()
        self._sql: dict[str, str] = {}  # by database vendor: quoting differs

    def execute(self, values: Sequence[object]) -> int:
        """Insert one row (``values`` in the order of ``fields``) in the current transaction;
        the number of rows inserted (0: a conflict was ignored)."""
        sql, prepared = self._statement(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, prepared)
            return int(cursor.rowcount)

    def execute_returning_pk(self, values: Sequence[object]) -> object:
        """Insert one row and return its primary key as the ORM gets it: ``RETURNING`` where
        the database has it (PostgreSQL, SQLite >= 3.35), else the cursor's last row id."""
        if self._conflict_names:
            raise TypeError("an insert that may do nothing has no primary key to return")
        sql, prepared = self._statement(values)
        pk = self._model._meta.pk
        pk_column = pk.column if pk is not None else None
        if not pk_column:
            raise TypeError(f"{self._model.__name__} has no primary key column")
        returning = connection.features.can_return_columns_from_insert
        if returning:
            sql = f"{sql} RETURNING {connection.ops.quote_name(pk_column)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, prepared)
            if not returning:
                return connection.ops.last_insert_id(cursor, self._model._meta.db_table, pk_column)
            row = cursor.fetchone()
            if row is None:  # pragma: no cover  (an INSERT ... RETURNING returns its row)
                raise RuntimeError("the insert returned no row")
            return row[0]

    def _statement(self, values: Sequence[object]) -> tuple[str, list[Any]]:
        """The statement, and the values as the ORM would send them (Django types them Any)."""
        if not self._fields:  # resolved at first use: models load after this module
            self._fields = tuple(self._field(name) for name in self._names)
        prepared = [
            field.get_db_prep_save(value, connection)
            for field, value in zip(self._fields, values, strict=True)
        ]
        return self._sql.get(connection.vendor) or self._compile(), prepared

    def _compile(self) -> str:
        quote = connection.ops.quote_name
        table = quote(self._model._meta.db_table)
        columns = ", ".join(quote(field.column or "") for field in self._fields)
        placeholders = ", ".join(["%s"] * len(self._fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  (identifiers from the model, values as parameters)
        if self._conflict_names:
            target = ", ".join(
                quote(self._field(name).column or "") for name in self._conflict_names
            )
            sql += f" ON CONFLICT ({target}) DO NOTHING"
        self._sql[connection.vendor] = sql
        return sql

    def _field(self, name: str) -> models.Field[object, object]:
        field = self._model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.column:
            raise TypeError(f"{self._model.__name__}.{name} is not a column")
        return field
