"""Liveness and readiness probes. Public by design: they reveal nothing but "up".

They are answered by ``HealthProbeMiddleware`` ahead of host validation and the HTTPS redirect:
orchestrators probe the pod's IP over plain HTTP, which neither ALLOWED_HOSTS nor
SECURE_SSL_REDIRECT would let through, and a probe needs no session, user or CSRF token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from adapters.platform.database import DATABASE_DOWN_DETAIL
from adapters.platform.errors import METHOD_NOT_ALLOWED, UNAVAILABLE, django_problem

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is checked, so a slow database never restarts it."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve traffic: the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness check failed: database unreachable", exc_info=True)
        return django_problem(UNAVAILABLE, DATABASE_DOWN_DETAIL, {"Retry-After": "5"})
    return JsonResponse({"status": "ok", "database": "ok"})


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return django_problem(
                METHOD_NOT_ALLOWED, "Probes answer GET and HEAD only.", {"Allow": "GET, HEAD"}
            )
        return probe(request)
