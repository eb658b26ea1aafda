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
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.db.models import Model, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from kernel.pagination import Page, PageRequest

M = TypeVar("M", bound=Model)

PAGE_SIZE_PARAM = "page_size"
CURSOR_PARAM = "cursor"
_FORWARD, _BACKWARD = "n", "p"


def page_request(request: Request) -> PageRequest:
    """Read ``page_size`` and ``cursor`` from the query string (400 on a malformed size)."""
    raw_size = request.query_params.get(PAGE_SIZE_PARAM)
    size = int(settings.PAGE_SIZE_DEFAULT)
    if raw_size is not None:
        if not raw_size.isdigit() or int(raw_size) < 1:
            raise ValidationError({PAGE_SIZE_PARAM: ["Must be a positive integer."]})
        # Larger values are clamped, not refused: clients may ask for "as many as allowed".
        size = min(int(raw_size[:6]), int(settings.PAGE_SIZE_MAX))
    return PageRequest(size=size, cursor=request.query_params.get(CURSOR_PARAM) or None)


def _encode(direction: str, values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, (datetime, date)) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps([direction, plain])).decode().rstrip("=")


def _decode(cursor: str, width: int) -> tuple[str, list[Any]]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise _invalid_cursor() from None
    valid_values = isinstance(values, list) and len(values) == width
    if direction not in (_FORWARD, _BACKWARD) or not valid_values:
        raise _invalid_cursor()
    if not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values):
        raise _invalid_cursor()
    return direction, values


def _invalid_cursor() -> ValidationError:
    return ValidationError({CURSOR_PARAM: ["Invalid cursor; use the links the API returned."]})


def _beyond(ordering: Sequence[str], values: Sequence[Any], *, forward: bool) -> Q:
    """Rows strictly after (``forward``) or before the position ``values`` in ``ordering``:
    (c0 > v0) OR (c0 = v0 AND c1 > v1) OR ..., with < for descending columns."""
    condition = Q()
    for index, column in enumerate(ordering):
        lookup = "lt" if column.startswith("-") == forward else "gt"
        equal_prefix = {ordering[i].lstrip("-"): values[i] for i in range(index)}
        condition |= Q(**equal_prefix, **{f"{column.lstrip('-')}__{lookup}": values[index]})
    return condition


def keyset_page(queryset: QuerySet[M], *, ordering: Sequence[str], page: PageRequest) -> Page[M]:
    """Cut one page of ``queryset`` in ``ordering`` (which must end with a unique column)."""
    direction, values = _decode(page.cursor, len(ordering)) if page.cursor else (_FORWARD, None)
    forward = direction == _FORWARD
    if values is not None:
        queryset = queryset.filter(_beyond(ordering, values, forward=forward))
    order = list(ordering) if forward else [_flip(column) for column in ordering]
    rows = list(queryset.order_by(*order)[: page.size + 1])
    has_more = len(rows) > page.size
    rows = rows[: page.size]
    if not forward:
        rows.reverse()
    if not rows:
        return Page([], None, None)

    def position(row: M) -> list[Any]:
        return [_column_value(row, column.lstrip("-")) for column in ordering]

    more_after = has_more if forward else True
    more_before = (values is not None) if forward else has_more
    return Page(
        rows,
        next_cursor=_encode(_FORWARD, position(rows[-1])) if more_after else None,
        previous_cursor=_encode(_BACKWARD, position(rows[0])) if more_before else None,
    )


def _flip(column: str) -> str:
    return column[1:] if column.startswith("-") else f"-{column}"


def _column_value(row: Model, path: str) -> Any:
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value


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
