"""Rate limits as fixed-window counters in the shared cache.

DRF's own throttles keep, per client, the list of every request time within the window and
write the whole list back on each request: O(limit) work per request (pickling up to 1200
floats at the default user rate) and a read-modify-write that concurrent workers can lose.
These count with one atomic increment instead: INCR + EXPIRE NX on Redis
(``FailOpenRedisCache.count``), ``cache.add`` + ``cache.incr`` on other caches. Every throttle
of a request is counted in the same round trip: the first throttle DRF asks counts them all
(``_counts``), the others read the result.
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

import attrs
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


@attrs.frozen
class _Hit:
    """What one throttle counts for one request."""

    key: str
    limit: int
    period: int
    window: int


class FixedWindowThrottle(BaseThrottle):
    scope: str = ""

    def __init__(self) -> None:
        self._wait: float | None = None

    def identity(self, request: Request, view: Any) -> str | None:
        """Whom to count (None: this throttle does not apply to the request)."""
        raise NotImplementedError

    def scope_for(self, view: Any) -> str:
        return self.scope

    def hit(self, request: Request, view: Any, now: float) -> _Hit | None:
        """The counter this throttle increments for the request (None: it does not apply)."""
        scope = self.scope_for(view)
        rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(scope)
        identity = self.identity(request, view)
        if not isinstance(rate, str) or identity is None:
            return None
        limit, period = parse_rate(rate)
        window = int(now // period)
        return _Hit(f"throttle:{scope}:{identity}:{window}", limit, period, window)

    def allow_request(self, request: Request, view: Any) -> bool:
        now, counts = _counts(request, view)
        hit = self.hit(request, view, now)
        count = counts.get(hit.key) if hit is not None and counts is not None else None
        if hit is None or count is None or count <= hit.limit:
            return True
        self._wait = (hit.window + 1) * hit.period - now
        return False

    def wait(self) -> float | None:
        return self._wait


# Set on the request by the first throttle that counts: (the time the request is counted at,
# each counter's value, or None when the cache is unavailable).
_COUNTED = "_platform_throttle_counts"


def _counts(request: Request, view: Any) -> tuple[float, dict[str, int] | None]:
    """Count every throttle of the view for the request, once, in one round trip."""
    counted: tuple[float, dict[str, int] | None] | None = getattr(request, _COUNTED, None)
    if counted is None:
        now = time.time()
        hits = [
            hit
            for throttle in view.get_throttles()
            if isinstance(throttle, FixedWindowThrottle)
            and (hit := throttle.hit(request, view, now)) is not None
        ]
        windows = {hit.key: hit.period + 1 for hit in hits}
        counted = (now, _count(windows) if windows else {})
        setattr(request, _COUNTED, counted)
    return counted


def _count(windows: dict[str, int]) -> dict[str, int] | None:
    """Count one hit on each key (None: the cache is unavailable, so nothing was counted)."""
    cache = caches["default"]
    if isinstance(cache, FailOpenRedisCache):
        return cache.count(windows)
    counts = {}
    for key, timeout in windows.items():
        if cache.add(key, 1, timeout=timeout):
            counts[key] = 1
            continue
        try:
            counts[key] = int(cache.incr(key))
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=timeout)
            counts[key] = 1
    return counts


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
