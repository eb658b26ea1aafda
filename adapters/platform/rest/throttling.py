"""Rate limits as fixed-window counters in the shared cache.

DRF's own throttles keep, per client, the list of every request time within the window and
write the whole list back on each request: O(limit) work per request (pickling up to 1200
floats at the default user rate) and a read-modify-write that concurrent workers can lose.
These count with one atomic increment instead: INCR + EXPIRE NX in one round trip on Redis
(``FailOpenRedisCache.count``), ``cache.add`` + ``cache.incr`` on other caches.
A fixed window lets a client spend up to twice its rate across a window boundary; for abuse
protection that is the usual, accepted trade.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (THROTTLE_*_RATE in the environment),
read on each request so that settings overrides apply.

Throttles fail open: while the cache is unavailable every request is let through (and the cache
logs a warning). A rate limit is a defence, not a reason to refuse service; the login lock-out,
which is, lives in the database and keeps working.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from adapters.platform.persistence.cache import FailOpenRedisCache

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/minute"`` → (20, 60)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period[0]]


class FixedWindowThrottle(BaseThrottle):
    scope: str = ""

    def __init__(self) -> None:
        self._wait: float | None = None

    def identity(self, request: Request, view: Any) -> str | None:
        """Whom to count (None: this throttle does not apply to the request)."""
        raise NotImplementedError

    def scope_for(self, view: Any) -> str:
        return self.scope

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = self.scope_for(view)
        rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(scope)
        identity = self.identity(request, view)
        if not isinstance(rate, str) or identity is None:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        count = _count(f"throttle:{scope}:{identity}:{window}", period + 1)
        if count is None or count <= limit:
            return True
        self._wait = (window + 1) * period - now
        return False

    def wait(self) -> float | None:
        return self._wait


def _count(key: str, timeout: int) -> int | None:
    """Count one hit on ``key`` (None: the cache is unavailable, so nothing could be counted)."""
    cache = caches["default"]
    if isinstance(cache, FailOpenRedisCache):
        return cache.count(key, timeout)
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=timeout)
        return 1


class AnonThrottle(FixedWindowThrottle):
    """Anonymous requests, per client address (THROTTLE_ANON_RATE)."""

    scope = "anon"

    def identity(self, request: Request, view: Any) -> str | None:
        return None if request.user.is_authenticated else str(self.get_ident(request))


class UserThrottle(FixedWindowThrottle):
    """Authenticated requests, per user (THROTTLE_USER_RATE)."""

    scope = "user"

    def identity(self, request: Request, view: Any) -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None


class ScopedThrottle(FixedWindowThrottle):
    """Per client address, at the rate of the view's ``throttle_scope`` (e.g. "auth")."""

    def scope_for(self, view: Any) -> str:
        return str(getattr(view, "throttle_scope", ""))

    def identity(self, request: Request, view: Any) -> str | None:
        return str(self.get_ident(request))


class ScopedUserThrottle(FixedWindowThrottle):
    """Per authenticated user, at the rate of the view's ``throttle_scope``."""

    def scope_for(self, view: Any) -> str:
        return str(getattr(view, "throttle_scope", ""))

    def identity(self, request: Request, view: Any) -> str | None:
        return str(request.user.pk) if request.user.is_authenticated else None


class ScopedFieldThrottle(FixedWindowThrottle):
    """Per value of the request body's field ``throttle_field`` (say, the email a password
    reset is asked for, whoever asks), at the rate of ``<throttle_scope>_<throttle_field>``.

    The value is trimmed and lower-cased, and counted under its digest: the cache holds no
    address. A body without that field as a string is not counted here (the view refuses it).
    """

    def scope_for(self, view: Any) -> str:
        return f"{getattr(view, 'throttle_scope', '')}_{getattr(view, 'throttle_field', '')}"

    def identity(self, request: Request, view: Any) -> str | None:
        data = request.data
        value = data.get(getattr(view, "throttle_field", "")) if isinstance(data, dict) else None
        if not isinstance(value, str):
            return None
        return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()
