"""JSON in, JSON out: orjson-backed parser and renderer, and content negotiation that never
falls back to HTML (or answers 406) whatever the client's Accept header says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Any

import orjson
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

PROBLEM_CONTENT_TYPE = "application/problem+json"


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
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


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
