"""One error format for the whole API: ``application/problem+json`` (RFC 9457).

Every error body has ``type``, ``title``, ``status`` and ``detail``; validation errors add
``errors``, a map of field name to messages. DRF exceptions, Django's own 404/500 under /api/,
an unavailable database and the domain errors each context registers all end up here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

import attrs
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

from adapters.platform.rest.rendering import PROBLEM_CONTENT_TYPE, ORJSONRenderer
from kernel.errors import InvalidField
from kernel.tenancy import OrganizationNotFound, RoleTooLow

logger = logging.getLogger(__name__)

DATABASE_DOWN_DETAIL = "The database is unavailable. Try again shortly."

# urn:<project slug>:problem:<slug> (src/settings/project.py).
PROBLEM_TYPE_PREFIX = f"urn:{settings.PROJECT_SLUG}:problem:"


@attrs.frozen
class ProblemType:
    """A kind of problem: its HTTP status, a stable slug (the ``type`` URI) and a title."""

    status: int
    slug: str
    title: str

    @property
    def uri(self) -> str:
        return PROBLEM_TYPE_PREFIX + self.slug


VALIDATION = ProblemType(400, "validation-error", "The request is invalid.")
MALFORMED = ProblemType(400, "malformed-request", "The request body could not be parsed.")
NOT_AUTHENTICATED = ProblemType(401, "not-authenticated", "Authentication is required.")
PERMISSION_DENIED = ProblemType(403, "permission-denied", "You may not do this.")
NOT_FOUND = ProblemType(404, "not-found", "Not found.")
# A one-time token (an emailed link's) that is malformed, forged, used or expired: one body for
# all, in every context that emails tokens.
INVALID_TOKEN = ProblemType(400, "invalid-token", "Invalid or expired token.")
METHOD_NOT_ALLOWED = ProblemType(405, "method-not-allowed", "Method not allowed.")
UNSUPPORTED_MEDIA_TYPE = ProblemType(415, "unsupported-media-type", "Send application/json.")
THROTTLED = ProblemType(429, "throttled", "Too many requests.")
SERVER_ERROR = ProblemType(500, "server-error", "Internal server error.")
UNAVAILABLE = ProblemType(503, "service-unavailable", "The service is temporarily unavailable.")

_DRF_PROBLEMS: dict[type[exceptions.APIException], ProblemType] = {
    exceptions.ParseError: MALFORMED,
    exceptions.ValidationError: VALIDATION,
    exceptions.NotAuthenticated: NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: NOT_AUTHENTICATED,
    exceptions.PermissionDenied: PERMISSION_DENIED,
    exceptions.NotFound: NOT_FOUND,
    exceptions.MethodNotAllowed: METHOD_NOT_ALLOWED,
    exceptions.UnsupportedMediaType: UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: THROTTLED,
}


FieldErrors = Mapping[str, list[str]]


def _no_errors(_error: Exception) -> None:
    return None


def _no_headers(_error: Exception) -> Mapping[str, str]:
    return {}


@attrs.frozen
class DomainProblem:
    """How a domain error class (and its subclasses) is shown to clients: its problem type,
    the field errors it carries (validation problems) and extra headers. Each context lists its
    own in ``adapters/<ctx>/problems.py`` (``PROBLEMS``), registered by its AppConfig."""

    error: type[Exception]
    problem: ProblemType
    errors: Callable[[Any], FieldErrors | None] = _no_errors
    headers: Callable[[Any], Mapping[str, str]] = _no_headers


_domain_problems: dict[type[Exception], DomainProblem] = {}


def register_domain_problems(mappings: Iterable[DomainProblem]) -> None:
    for mapping in mappings:
        _domain_problems[mapping.error] = mapping


# The kernel's errors, which every context raises: field-level rule violations are validation
# problems naming the field; tenancy's answers are the 404 that hides and the 403 that explains.
KERNEL_PROBLEMS = (
    DomainProblem(InvalidField, VALIDATION, errors=lambda e: {e.field: [e.message]}),
    DomainProblem(OrganizationNotFound, NOT_FOUND),
    DomainProblem(RoleTooLow, PERMISSION_DENIED),
)
register_domain_problems(KERNEL_PROBLEMS)


def _domain_problem_for(error: Exception) -> DomainProblem | None:
    for klass in type(error).__mro__:
        if klass in _domain_problems:
            return _domain_problems[klass]
    return None


def problem_body(
    problem: ProblemType, detail: str, errors: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem.uri,
        "title": problem.title,
        "status": problem.status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(
    problem: ProblemType,
    detail: str,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(
        problem_body(problem, detail, errors),
        status=problem.status,
        headers=dict(headers or {}),
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _flatten_validation(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"field" or "parent.child": [messages]}``."""

    def nested(key: object) -> str:
        return f"{prefix}.{key}" if prefix else str(key)

    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten_validation(value, nested(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten_validation(item, nested(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every exception raised in an API view becomes a problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten_validation(exc.detail)
        return problem_response(VALIDATION, _validation_summary(errors), errors)

    if isinstance(exc, exceptions.APIException):
        problem = _DRF_PROBLEMS.get(type(exc)) or _problem_for_status(exc.status_code)
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]  # set by DRF's APIView on 401s
        wait = getattr(exc, "wait", None)  # set on Throttled, missing from the stubs
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait))
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return problem_response(problem, str(detail), headers=headers)

    domain = _domain_problem_for(exc)
    if domain is not None:
        return problem_response(domain.problem, str(exc), domain.errors(exc), domain.headers(exc))

    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable", exc_info=exc)
        return problem_response(
            UNAVAILABLE,
            DATABASE_DOWN_DETAIL,
            headers={"Retry-After": "5"},
        )

    return None  # Unexpected: Django logs it and handler500 answers with a problem body.


def _validation_summary(errors: Mapping[str, list[str]]) -> str:
    fields = ", ".join(sorted(errors))
    return f"Invalid input in: {fields}." if fields else "Invalid input."


def _problem_for_status(status_code: int) -> ProblemType:
    for problem in _DRF_PROBLEMS.values():
        if problem.status == status_code:
            return problem
    return ProblemType(status_code, f"http-{status_code}", HTTPStatus(status_code).phrase + ".")


# --- Django-level handlers for errors that happen outside DRF views ---


def django_problem(
    problem: ProblemType,
    detail: str,
    headers: Mapping[str, str] | None = None,
    *,
    extensions: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """A problem response outside DRF; ``extensions`` adds members to the body (RFC 9457)."""
    body = problem_body(problem, detail) | dict(extensions or {})
    response = HttpResponse(
        ORJSONRenderer().render(body),
        status=problem.status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _is_admin(request: HttpRequest) -> bool:
    # The admin is the one HTML part of the site; it keeps Django's own error pages.
    return request.path.startswith("/admin/")


def handler_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_admin(request):
        return defaults.page_not_found(request, exception)
    return django_problem(NOT_FOUND, "No resource at this address.")


@csrf_exempt  # answers every method with a 404; Django's CSRF check would answer an HTML 403
def api_not_found(request: HttpRequest) -> HttpResponse:
    return django_problem(NOT_FOUND, "No resource at this address.")


def handler_server_error(request: HttpRequest) -> HttpResponse:
    return django_problem(SERVER_ERROR, "An unexpected error occurred; it has been logged.")


def handler_bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return django_problem(MALFORMED, "The request could not be understood.")


def handler_permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_admin(request):
        return defaults.permission_denied(request, exception)
    return django_problem(PERMISSION_DENIED, "You may not do this.")
