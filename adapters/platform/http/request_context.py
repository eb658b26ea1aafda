"""The request id and the current request, available to logging and request-scoped adapters.

Every response carries ``X-Request-ID``: the client's own when it sent a sane one, else a new
one. Every log line written while the request runs carries the same id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponseBase

REQUEST_ID_HEADER = "X-Request-ID"
# Client-supplied ids end up in logs: accept only short, plain tokens.
_ACCEPTABLE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def current_request() -> HttpRequest:
    """The request being served. For adapters whose library needs the ``HttpRequest``."""
    request = _current_request.get()
    if request is None:
        raise RuntimeError("No request is being served (RequestContextMiddleware not active?).")
    return request


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTABLE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        # Not reset on the way out: Django logs the response ("django.request", "django.server")
        # after the middleware chain returns, and those lines belong to this request too. The
        # next request on this thread or task sets its own values first.
        _request_id.set(request_id)
        request_token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(request_token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        return True
