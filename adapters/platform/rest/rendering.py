"""JSON in, JSON out: orjson-backed parser and renderer, and content negotiation that never
falls back to HTML (or answers 406) whatever the client's Accept header says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any

import orjson
from django.utils.encoding import force_str
from django.utils.functional import Promise
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _json_default(value: Any) -> Any:
    """What orjson cannot encode itself but a response may carry: a Decimal (as a string, so
    no precision is lost), a lazy translation string, a duration (in seconds, as DRF's encoder
    writes it), a set. Anything else is a programming error: orjson raises TypeError."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return force_str(value)
    if isinstance(value, timedelta):
        return str(value.total_seconds())
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition (RFC 8259); no charset parameter.

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


class StrictJSONParser(BaseParser):
    """Parses a JSON object body. Anything else (malformed JSON, a list, a number) is a 400."""

    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read() if stream is not None else b""
        if not raw:
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ParseError(f"Malformed JSON: {error.msg} at position {error.pos}.") from None
        if not isinstance(data, dict):
            raise ParseError("The request body must be a JSON object.")
        return data


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that an Accept header no renderer satisfies gets the view's
    first renderer (JSON for API views) instead of a 406."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        try:
            chosen: tuple[BaseRenderer, str] = super().select_renderer(
                request, renderers, format_suffix
            )
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
        return chosen
