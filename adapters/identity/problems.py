"""How identity's domain errors appear to API clients."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from adapters.platform.rest.problems import (
    INVALID_TOKEN,
    NOT_FOUND,
    VALIDATION,
    DomainProblem,
    ProblemType,
    django_problem,
)
from contexts.identity.domain import errors

INVALID_CREDENTIALS = ProblemType(401, "invalid-credentials", "Invalid credentials.")
LOCKED_OUT = ProblemType(429, "login-locked-out", "Too many failed logins.")
EMAIL_TAKEN = ProblemType(409, "email-taken", "Email already registered.")


def _retry_after(error: errors.LoginLockedOut) -> Mapping[str, str]:
    return {"Retry-After": str(error.retry_after)} if error.retry_after else {}


PROBLEMS = (
    DomainProblem(errors.InvalidEmail, VALIDATION, errors=lambda e: {"email": [e.message]}),
    DomainProblem(errors.WeakPassword, VALIDATION, errors=lambda e: {"password": e.reasons}),
    DomainProblem(errors.EmailAlreadyRegistered, EMAIL_TAKEN),
    DomainProblem(
        errors.InvalidCredentials,
        INVALID_CREDENTIALS,
        headers=lambda _e: {"WWW-Authenticate": "Token"},
    ),
    DomainProblem(errors.LoginLockedOut, LOCKED_OUT, headers=_retry_after),
    DomainProblem(errors.UserNotFound, NOT_FOUND),
    # One body for a malformed, forged, used or expired token.
    DomainProblem(errors.InvalidToken, INVALID_TOKEN),
    DomainProblem(
        errors.IncorrectPassword, VALIDATION, errors=lambda e: {"current_password": [e.message]}
    ),
)


def axes_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the lock-out as the same problem body the login API gives,
    wherever axes detects it (the API's login or the admin's)."""
    error = errors.LoginLockedOut(retry_after=lockout_seconds())
    return django_problem(LOCKED_OUT, error.message, _retry_after(error))


def lockout_seconds() -> int | None:
    """How long a lock-out lasts (AXES_COOLOFF_TIME), in seconds."""
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds()) if isinstance(cool_off, timedelta) else None
