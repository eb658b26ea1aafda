"""A query (or an update) built with the ORM, compiled to SQL once, and run again with new
values.

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
from typing import Any, cast

import attrs
from django.db import connection
from django.db.models import Expression, Field, IntegerField, QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.subqueries import UpdateQuery
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
UpdateBuilder = Callable[[Arguments], tuple[QuerySet[Any, Any], Mapping[str, object]]]
_Converter = tuple[int, Sequence[Callable[..., Any]], Any]
_Preparer = Callable[[object], object]


@attrs.frozen
class _Statement:
    sql: str
    parameters: tuple[object, ...]  # fixed values, and a _Slot where a run's value goes
    preparers: Mapping[str, _Preparer]  # per placeholder: its value as the ORM would send it
    converters: tuple[_Converter, ...] = ()

    def rows(self, values: Mapping[str, object]) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self._bound(values))
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        if not self.converters:
            return rows
        return [self._converted(row) for row in rows]

    def rowcount(self, values: Mapping[str, object]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self._bound(values))
            return int(cursor.rowcount)

    def _bound(self, values: Mapping[str, object]) -> list[Any]:
        prepared = {name: prepare(values[name]) for name, prepare in self.preparers.items()}
        return [
            prepared[parameter.name] if isinstance(parameter, _Slot) else parameter
            for parameter in self.parameters
        ]

    def _converted(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for position, converters, expression in self.converters:
            for convert in converters:
                values[position] = convert(values[position], expression, connection)
        return tuple(values)


def _compared_with(field: Field[Any, Any]) -> _Preparer:
    """A value as the ORM would send it for a comparison with ``field``; an integer outside the
    column's range is a ValueError (the ORM would answer no rows; the database, an error)."""
    target = field
    while target.is_relation and target.target_field is not None:  # type: ignore[attr-defined]  # a relation's target_field is a Field
        target = target.target_field  # type: ignore[attr-defined]  # as above
    integer = isinstance(target, IntegerField)

    def prepare(value: object) -> object:
        prepared = field.get_db_prep_value(value, connection, prepared=False)
        if integer and isinstance(prepared, int):
            low, high = connection.ops.integer_field_range(target.get_internal_type())
            if (low is not None and prepared < low) or (high is not None and prepared > high):
                raise ValueError(f"{value!r} is out of range for {field.name}")
        return prepared

    return prepare


def _saved_in(field: Field[Any, Any]) -> _Preparer:
    """A value as the ORM would write it into ``field``."""

    def prepare(value: object) -> object:
        return field.get_db_prep_save(value, connection)

    return prepare


class _PerVendor:
    """Statements compiled once per database vendor (quoting and operators differ)."""

    def __init__(self) -> None:
        self._statements: dict[str, _Statement] = {}

    def statement(self, compile_statement: Callable[[], _Statement]) -> _Statement:
        statement = self._statements.get(connection.vendor)
        if statement is None:
            statement = self._statements[connection.vendor] = compile_statement()
        return statement


class CompiledQuery:
    """``build(arguments)`` compiled once per database vendor, run by :meth:`rows`.

    ``build`` must return a ``values_list()`` queryset; the rows come back as its tuples.
    ``select_for_update()`` is kept, so a compiled query can take the locks a write needs.
    """

    def __init__(self, build: Builder) -> None:
        self._build = build
        self._compiled = _PerVendor()

    def rows(self, values: Mapping[str, object]) -> list[tuple[Any, ...]]:
        """Run the statement with ``values``, one per placeholder (the first run names them
        all); a value its column cannot hold raises ValueError, TypeError or Django's
        ValidationError, as the ORM's own preparation does."""
        names = list(values)
        statement = self._compiled.statement(lambda: _compile(self._build(Arguments(names))))
        return statement.rows(values)


class CompiledUpdate:
    """``queryset.update(**changes)`` compiled once per database vendor, run by :meth:`run`.

    ``build(arguments)`` returns the queryset (its filters may use placeholders, as a
    CompiledQuery's do) and the changes, whose values are fixed or placeholders. As with
    ``QuerySet.update``, no ``save()`` is called and no signal is sent.
    """

    def __init__(self, build: UpdateBuilder) -> None:
        self._build = build
        self._compiled = _PerVendor()

    def run(self, values: Mapping[str, object]) -> int:
        """Update the matching rows with ``values``; the number of rows matched."""
        names = list(values)
        statement = self._compiled.statement(
            lambda: _compile_update(*self._build(Arguments(names)))
        )
        return statement.rowcount(values)


def _compile(queryset: QuerySet[Any, Any]) -> _Statement:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, parameters = compiler.as_sql()
    preparers = {name: _compared_with(field) for name, field in _compared(queryset.query.where)}
    _check_every_placeholder_prepared(parameters, preparers)
    selected = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(selected).items()
    )
    return _Statement(sql, tuple(parameters), preparers, converters)


def _compile_update(queryset: QuerySet[Any, Any], changes: Mapping[str, object]) -> _Statement:
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
    query.add_update_values(dict(changes))
    if query.get_related_updates():
        raise TypeError("an update of a parent model's fields cannot be compiled")
    sql, parameters = query.get_compiler(connection=connection).as_sql()
    preparers = {name: _compared_with(field) for name, field in _compared(query.where)}
    changed: list[tuple[Field[Any, Any], Any, object]] = query.values  # type: ignore[attr-defined]  # add_update_values sets it; django-stubs omit it
    for field, _model, value in changed:
        if isinstance(value, Placeholder):
            preparers[value.slot.name] = _saved_in(field)
    _check_every_placeholder_prepared(parameters, preparers)
    return _Statement(sql, tuple(parameters), preparers)


def _check_every_placeholder_prepared(
    parameters: Sequence[object], preparers: Mapping[str, _Preparer]
) -> None:
    slots = {parameter.name for parameter in parameters if isinstance(parameter, _Slot)}
    if slots != set(preparers):
        unplaced = slots ^ set(preparers)
        raise TypeError(f"placeholders outside a comparison or a change of a column: {unplaced}")


def _compared(node: WhereNode) -> Iterator[tuple[str, Field[Any, Any]]]:
    """(name, field) for every placeholder in the WHERE tree, checked to be the right-hand
    side of a plain comparison with a column."""
    for child in node.children:
        if isinstance(child, WhereNode):
            yield from _compared(child)
        elif isinstance(child, Lookup) and isinstance(child.rhs, Placeholder):
            if child.lookup_name not in _COMPARISONS or not isinstance(child.lhs, Col):
                raise TypeError(f"a placeholder in {child.lookup_name!r} on {child.lhs!r}")
            yield child.rhs.slot.name, child.lhs.output_field
