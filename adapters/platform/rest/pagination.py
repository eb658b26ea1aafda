"""Cursor (keyset) pagination for every list endpoint.

- ``?page_size=`` defaults to PAGE_SIZE_DEFAULT and is clamped to PAGE_SIZE_MAX; ``?cursor=`` is
  an opaque token taken from a previous response's ``next``/``previous`` link.
- Pages are cut with a WHERE on the ordering columns (keyset), never OFFSET or COUNT(*), so a
  page costs the same at row 10 as at row 10 million, given an index matching the ordering.
- The body is ``{"results": [...], "next": url | null, "previous": url | null}``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from adapters.platform.persistence.compiled import Arguments, CompiledQuery
from kernel.pagination import Page, PageRequest

T = TypeVar("T")

PAGE_SIZE_PARAM = "page_size"
CURSOR_PARAM = "cursor"
_FORWARD, _BACKWARD = "n", "p"


_INT64 = 2**63 - 1
_MAX_TEXT = 255


def page_request(request: Request) -> PageRequest:
    """Read ``page_size`` and ``cursor`` from the query string (400 on a malformed size)."""
    raw_size = request.query_params.get(PAGE_SIZE_PARAM)
    size = int(settings.PAGE_SIZE_DEFAULT)
    if raw_size is not None:
        # ASCII digits only: str.isdigit() alone also takes "²", which int() refuses.
        if not (raw_size.isascii() and raw_size.isdigit()):
            raise ValidationError({PAGE_SIZE_PARAM: ["Must be a positive integer."]})
        requested = int(raw_size) if len(raw_size) <= 18 else _INT64
        if requested < 1:
            raise ValidationError({PAGE_SIZE_PARAM: ["Must be a positive integer."]})
        # Larger values are clamped, not refused: clients may ask for "as many as allowed".
        size = min(requested, int(settings.PAGE_SIZE_MAX))
    return PageRequest(size=size, cursor=request.query_params.get(CURSOR_PARAM) or None)


# A cursor is [direction, the list's ordering, typed values]: values are tagged so that they come
# back as the same Python types, and a cursor from another list (other ordering) is refused.
def _encode(direction: str, ordering: Sequence[str], values: Sequence[Any]) -> str:
    tagged = [_tag(value) for value in values]
    payload = orjson.dumps([direction, ",".join(ordering), tagged])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        if not -_INT64 <= value <= _INT64:
            raise ValueError
        return value
    if isinstance(value, str):
        if len(value) > _MAX_TEXT or "\x00" in value:
            raise ValueError
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        if tag == "dt" and isinstance(text, str):
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None or not 1900 <= moment.year <= 9000:
                raise ValueError
            return moment
        if tag == "d" and isinstance(text, str):
            return date.fromisoformat(text)
    raise ValueError


def _decode(cursor: str, ordering: Sequence[str]) -> tuple[str, list[Any]]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, cursor_ordering, tagged = orjson.loads(raw)
        if direction not in (_FORWARD, _BACKWARD) or cursor_ordering != ",".join(ordering):
            raise ValueError
        if not isinstance(tagged, list) or len(tagged) != len(ordering):
            raise ValueError
        return direction, [_untag(value) for value in tagged]
    except (binascii.Error, ValueError, TypeError):
        raise _invalid_cursor() from None


INVALID_CURSOR = "Invalid cursor; use the links the API returned."


def _invalid_cursor() -> ValidationError:
    return ValidationError({CURSOR_PARAM: [INVALID_CURSOR]})


def _beyond(ordering: Sequence[str], values: Sequence[Any], *, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the position ``values`` in ``ordering``:
    c0 >= v0 AND ((c0 > v0) OR (c0 = v0 AND c1 > v1) OR ...), with < for descending columns.

    The leading ``c0 >= v0`` is implied by the rest, but a planner cannot see through the OR:
    without it PostgreSQL reads the index from the list's start and filters every row before
    the page, so a deep page costs as much as all the pages before it."""
    condition = Q()
    for index, column in enumerate(ordering):
        lookup = "lt" if column.startswith("-") == forward else "gt"
        equal_prefix = {ordering[i].lstrip("-"): values[i] for i in range(index)}
        condition |= Q(**equal_prefix, **{f"{column.lstrip('-')}__{lookup}": values[index]})
    first = ordering[0]
    bound = "lte" if first.startswith("-") == forward else "gte"
    return Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition


class KeysetPages(Generic[T]):
    """The pages of one list: ``rows(arguments)`` (a queryset filtered by placeholders, see
    adapters/platform/persistence/compiled.py) cut in ``ordering``, which must end with a
    unique column.

    Rows are read as tuples of ``columns`` (plus any ordering column not among them) and turned
    into items by ``build(row)``: no model instances, which cost more than the query on a page
    of 50. The cursor carries the ordering columns' values of the page's edge rows. The SQL is
    compiled once per shape (which filters are given, a cursor or none, its direction, the page
    size) and then only run.
    """

    def __init__(
        self,
        rows: Callable[[Arguments], QuerySet[Any]],
        *,
        ordering: Sequence[str],
        columns: Sequence[str],
        build: Callable[[tuple[Any, ...]], T],
    ) -> None:
        self._rows = rows
        self._ordering = tuple(ordering)
        self._build = build
        fields = [column.lstrip("-") for column in ordering]
        self._selected = list(columns) + [f for f in fields if f not in columns]
        self._positions = [self._selected.index(f) for f in fields]
        self._width = len(columns)
        self._queries: dict[Hashable, CompiledQuery] = {}

    def page(self, page: PageRequest, **filters: object) -> Page[T]:
        """One page of the rows matching ``filters`` (the builder's placeholders; a filter whose
        value is None is absent: the builder sees no placeholder of that name)."""
        values = {name: value for name, value in filters.items() if value is not None}
        direction, position = (
            _decode(page.cursor, self._ordering) if page.cursor else (_FORWARD, None)
        )
        forward = direction == _FORWARD
        if position is not None:
            values.update(zip(_cursor_names(len(position)), position, strict=True))
        try:
            rows = self._query(frozenset(values), direction, position is not None, page.size).rows(
                values
            )
        except (DjangoValidationError, ValueError, TypeError):
            if position is None:
                raise
            raise _invalid_cursor() from None  # a value of the wrong type for its column
        has_more = len(rows) > page.size
        rows = rows[: page.size]
        if not forward:
            rows.reverse()
        if not rows:
            return Page([], None, None)
        more_after = has_more if forward else True
        more_before = (position is not None) if forward else has_more
        return Page(
            [self._build(row[: self._width]) for row in rows],
            next_cursor=self._cursor(_FORWARD, rows[-1]) if more_after else None,
            previous_cursor=self._cursor(_BACKWARD, rows[0]) if more_before else None,
        )

    def _cursor(self, direction: str, row: tuple[Any, ...]) -> str:
        return _encode(direction, self._ordering, [row[index] for index in self._positions])

    def _query(
        self, names: frozenset[str], direction: str, has_cursor: bool, size: int
    ) -> CompiledQuery:
        """The query of one shape: which values are given, from where, how many rows."""
        shape = (names, direction, has_cursor, size)
        query = self._queries.get(shape)
        if query is None:

            def build(arguments: Arguments) -> QuerySet[Any, Any]:
                queryset = self._rows(arguments)
                forward = direction == _FORWARD
                if has_cursor:
                    cursor = [arguments[name] for name in _cursor_names(len(self._ordering))]
                    queryset = queryset.filter(_beyond(self._ordering, cursor, forward=forward))
                order = self._ordering if forward else [_flip(c) for c in self._ordering]
                return queryset.order_by(*order).values_list(*self._selected)[: size + 1]

            query = self._queries[shape] = CompiledQuery(build)
        return query


def _cursor_names(count: int) -> list[str]:
    """The placeholders of a cursor's values: not identifiers, so no filter can take them."""
    return [f"cursor.{index}" for index in range(count)]


def _flip(column: str) -> str:
    return column[1:] if column.startswith("-") else f"-{column}"


def paginated_response(request: Request, page: Page[Mapping[str, Any]]) -> Response:
    url = request.build_absolute_uri()

    def link(cursor: str | None) -> str | None:
        return replace_query_param(url, CURSOR_PARAM, cursor) if cursor else None

    return Response(
        {
            "results": page.items,
            "next": link(page.next_cursor),
            "previous": link(page.previous_cursor),
        }
    )


PAGINATION_PARAMETERS = [
    OpenApiParameter(
        PAGE_SIZE_PARAM,
        {"type": "integer", "minimum": 1},
        description="Items per page (default 20; larger values are clamped to 100).",
    ),
    OpenApiParameter(
        CURSOR_PARAM, str, description="Opaque cursor from a previous page's next/previous link."
    ),
]

_envelopes: dict[type[serializers.Serializer[Any]], type[serializers.Serializer[Any]]] = {}


def paginated(item: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """The schema of a page of ``item``: ``{results, next, previous}``."""
    if item not in _envelopes:
        name = item.__qualname__.replace(".", "").removesuffix("Serializer")
        _envelopes[item] = type(
            f"Paginated{name}List",
            (serializers.Serializer,),
            {
                "results": item(many=True),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "__module__": item.__module__,
            },
        )
    return _envelopes[item]
