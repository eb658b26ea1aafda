"""Liveness and readiness probes. Public by design: they reveal nothing but which dependency
is up.

They are answered by ``HealthProbeMiddleware`` ahead of host validation and the HTTPS redirect:
orchestrators probe the pod's IP over plain HTTP, which neither ALLOWED_HOSTS nor
SECURE_SSL_REDIRECT would let through, and a probe needs no session, user or CSRF token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

from adapters.platform.persistence.cache import FailOpenRedisCache
from adapters.platform.rest.problems import DATABASE_DOWN_DETAIL, METHOD_NOT_ALLOWED, django_problem
from adapters.platform.rest.problems import UNAVAILABLE as UNAVAILABLE_PROBLEM

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers: nothing else is checked, so a slow database never restarts it."""
    return JsonResponse({"status": "ok"})


OK, UNAVAILABLE, NOT_CONFIGURED = "ok", "unavailable", "not configured"
# The dependencies without which no request can be served: readiness fails (503) when one of
# them is down, and the orchestrator stops sending traffic. The cache is not one of them: the
# app serves without it (adapters/platform/persistence/cache.py); nor is the broker: the outbox
# keeps what cannot be published, and the sweep sends it once the broker is back.
# docs/deploy.md, "Probes".
REQUIRED = frozenset({"database"})


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness check: database unreachable", exc_info=True)
        return UNAVAILABLE
    return OK


def cache_status() -> str:
    cache = caches["default"]
    if isinstance(cache, FailOpenRedisCache) and not cache.ping():
        return UNAVAILABLE
    return OK


def broker_status() -> str:
    """The outbox's broker answers a PING (no Celery import: a probe stays cheap)."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return NOT_CONFIGURED
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
    try:
        if urlsplit(url).scheme in {"redis", "rediss"}:
            import redis

            client = redis.Redis.from_url(
                url, socket_connect_timeout=timeout, socket_timeout=timeout
            )
            try:
                client.ping()
            finally:
                client.close()
        else:  # another kombu transport
            from kombu import Connection

            with Connection(url, connect_timeout=timeout) as connection:
                connection.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as error:  # whatever the client raises: the answer is "not now"
        logger.warning("readiness check: broker unreachable (%s)", type(error).__name__)
        return UNAVAILABLE
    return OK


def dependency_statuses() -> dict[str, str]:
    """Each dependency's state, checked now."""
    return {"database": database_status(), "cache": cache_status(), "broker": broker_status()}


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve traffic: every required dependency answers. The body lists each one."""
    checks = dependency_statuses()
    down = sorted(name for name in REQUIRED if checks[name] != OK)
    if down:
        detail = (
            DATABASE_DOWN_DETAIL if down == ["database"] else f"Unavailable: {', '.join(down)}."
        )
        return django_problem(
            UNAVAILABLE_PROBLEM, detail, {"Retry-After": "5"}, extensions={"checks": checks}
        )
    return JsonResponse({"status": OK, "checks": checks})


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
