"""A query built with the ORM, compiled to SQL once, and run again with new values.

Building a queryset and compiling it costs more CPU than running it on an index: for a page of
50 invoices about 0.35 ms of ``filter()``, ``order_by()``, ``values_list()`` and ``as_sql()``
against 0.4 ms for the database round trip and reading the rows (bench/run.py). Django has no
prepared querysets, so ``CompiledQuery`` makes one: the builder is called once per *shape* with
placeholders where the values go; the ORM compiles it as usual (joins, quoting, the vendor's
operators), and the placeholders come out of the compiler as markers among the parameters. Each
run then binds the new values in their places, prepared by the field each is compared with
(``Field.get_db_prep_value``, as the ORM's lookups do), executes the SQL on the request's
connection and converts the rows with the compiler's own converters.

The builder receives one placeholder per value (``arguments["user_id"]``) and may use it only
as the right-hand side of a plain comparison (``=``, ``<``, ``<=``, ``>``, ``>=``) on a column:
compiling refuses anything else, since no other lookup prepares its value the same way. What
varies the SQL's structure (a filter present or not, the direction of a page, a limit) belongs
in a CompiledQuery of its own (one per shape), never in a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import attrs
from django.db import connection
from django.db.models import Expression, Field, IntegerField, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.where import WhereNode

_COMPARISONS = frozenset({"exact", "gt", "gte", "lt", "lte"})


@attrs.frozen(eq=False)
class _Slot:
    """Where one named value goes among a statement's parameters (compared by identity)."""

    name: str


class Placeholder(Expression):
    """A value supplied when the compiled query runs; compiles to a parameter marker."""

    def __init__(self, slot: _Slot) -> None:
        super().__init__()
        self.slot = slot

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        # The one parameter is a marker: run() puts the value in its place.
        return "%s", (self.slot,)


class Arguments(Mapping[str, Placeholder]):
    """The placeholders a builder receives, by name; asking for an unknown name is an error."""

    def __init__(self, names: Sequence[str]) -> None:
        self._placeholders = {name: Placeholder(_Slot(name)) for name in names}

    def __getitem__(self, name: str) -> Placeholder:
        return self._placeholders[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._placeholders)

    def __len__(self) -> int:
        return len(self._placeholders)


Builder = Callable[[Arguments], QuerySet[Any, Any]]
_Converter = tuple[int, Sequence[Callable[..., Any]], Any]


@attrs.frozen
class _Statement:
    sql: str
    parameters: tuple[object, ...]  # fixed values, and a _Slot where a run's value goes
    fields: Mapping[str, Field[Any, Any]]  # each placeholder's value is prepared by this field
    converters: tuple[_Converter, ...]

    def run(self, values: Mapping[str, object]) -> list[tuple[Any, ...]]:
        prepared = {name: _prepared(field, values[name]) for name, field in self.fields.items()}
        bound: list[Any] = [
            prepared[parameter.name] if isinstance(parameter, _Slot) else parameter
            for parameter in self.parameters
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, bound)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if not self.converters:
            return rows
        return [self._converted(row) for row in rows]

    def _converted(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for position, converters, expression in self.converters:
            for convert in converters:
                values[position] = convert(values[position], expression, connection)
        return tuple(values)


def _prepared(field: Field[Any, Any], value: object) -> object:
    """``value`` as the ORM would send it for a comparison with ``field``; an integer outside
    the column's range is a ValueError (the ORM would answer no rows; the database, an error)."""
    prepared = field.get_db_prep_value(value, connection, prepared=False)
    target = field
    while target.is_relation and target.target_field is not None:  # type: ignore[attr-defined]  # a relation's target_field is a Field
        target = target.target_field  # type: ignore[attr-defined]  # as above
    if isinstance(target, IntegerField) and isinstance(prepared, int):
        low, high = connection.ops.integer_field_range(target.get_internal_type())
        if (low is not None and prepared < low) or (high is not None and prepared > high):
            raise ValueError(f"{value!r} is out of range for {field.name}")
    return prepared


class CompiledQuery:
    """``build(arguments)`` compiled once per database vendor, run by :meth:`rows`.

    ``build`` must return a ``values_list()`` queryset; the rows come back as its tuples.
    """

    def __init__(self, build: Builder) -> None:
        self._build = build
        self._statements: dict[str, _Statement] = {}  # by vendor: quoting and operators differ

    def rows(self, values: Mapping[str, object]) -> list[tuple[Any, ...]]:
        """Run the statement with ``values``, one per placeholder (the first run names them
        all); a value its column cannot hold raises ValueError, TypeError or Django's
        ValidationError, as the ORM's own preparation does."""
        statement = self._statements.get(connection.vendor)
        if statement is None:
            statement = _compile(self._build(Arguments(list(values))))
            self._statements[connection.vendor] = statement
        return statement.run(values)


def _compile(queryset: QuerySet[Any, Any]) -> _Statement:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, parameters = compiler.as_sql()
    fields = dict(_placeholder_fields(queryset.query.where))
    slots = {parameter.name for parameter in parameters if isinstance(parameter, _Slot)}
    if slots != set(fields):
        raise TypeError(f"placeholders outside a comparison with a column: {slots ^ set(fields)}")
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(selected).items()
    )
    return _Statement(sql, tuple(parameters), fields, converters)


def _placeholder_fields(node: WhereNode) -> Iterator[tuple[str, Field[Any, Any]]]:
    """(name, field) for every placeholder in the WHERE tree, checked to be the right-hand
    side of a plain comparison with a column."""
    for child in node.children:
        if isinstance(child, WhereNode):
            yield from _placeholder_fields(child)
        elif isinstance(child, Lookup) and isinstance(child.rhs, Placeholder):
            if child.lookup_name not in _COMPARISONS or not isinstance(child.lhs, Col):
                raise TypeError(f"a placeholder in {child.lookup_name!r} on {child.lhs!r}")
            yield child.rhs.slot.name, child.lhs.output_field
