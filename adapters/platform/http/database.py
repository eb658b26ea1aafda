"""The database going away is a 503 with a problem body, never a traceback page."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from adapters.platform.rest.problems import DATABASE_DOWN_DETAIL, UNAVAILABLE, django_problem

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answers 503 for database connection errors raised outside DRF's exception handling
    (session or authentication middleware, admin, health checks)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("database unavailable", exc_info=exception)
            return django_problem(UNAVAILABLE, DATABASE_DOWN_DETAIL, {"Retry-After": "5"})
        return None
