"""Redis as a cache the app can serve without: every operation fails open.

The cache holds nothing the app cannot do without (throttle counters today; lock-outs and
sessions live in the database). So when Redis is down or slow, a read is a miss, a write is
dropped, a counter starts again from zero, a warning is logged once per outage, and the request
is served. After a failure the cache is not tried again for ``RETRY_AFTER`` seconds, so an
outage costs one connection timeout per process and interval rather than one per request; the
first operation after that interval reconnects, so recovery needs no restart.

Values are stored as JSON (integers as plain Redis integers, so that INCR works), not pickled:
with pickle, whoever can write to Redis can run code in every worker that reads the key.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import orjson
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Connection refused, reset, unreachable or timed out; BusyLoadingError (Redis starting) is a
# ConnectionError too. A ResponseError (a bug: wrong command or type) is not caught.
UNAVAILABLE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
DEFAULT_RETRY_AFTER = 5.0

T = TypeVar("T")


class JSONSerializer:
    """The cache's serializer: integers as Redis integers, anything else as JSON."""

    def dumps(self, obj: Any) -> int | bytes:
        if type(obj) is int:  # not bool: True must come back as True
            return obj
        return orjson.dumps(obj)

    def loads(self, data: bytes) -> Any:
        try:
            return int(data)
        except ValueError:
            return orjson.loads(data)


def _fail_open(fallback: Callable[..., T]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Run the operation unless the cache is down; on an outage answer ``fallback(...)``."""

    def decorate(operation: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(operation)
        def guarded(self: FailOpenRedisCache, *args: Any, **kwargs: Any) -> T:
            if self.is_resting():
                return fallback(*args, **kwargs)
            try:
                result = operation(self, *args, **kwargs)
            except UNAVAILABLE_ERRORS as error:
                self.record_failure(error)
                return fallback(*args, **kwargs)
            self.record_success()
            return result

        return guarded

    return decorate


def _miss(_key: Any, default: Any = None, *_args: Any, **_kwargs: Any) -> Any:
    return default


def _not_stored(*_args: Any, **_kwargs: Any) -> bool:
    return False


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def _no_values(*_args: Any, **_kwargs: Any) -> dict[Any, Any]:
    return {}


def _all_failed(data: dict[Any, Any], *_args: Any, **_kwargs: Any) -> list[Any]:
    return list(data)


def _fresh_count(_key: Any, delta: int = 1, *_args: Any, **_kwargs: Any) -> int:
    return delta


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache, failing open (see the module docstring).

    OPTIONS: ``RETRY_AFTER`` (seconds, default 5) besides redis-py's connection options, such
    as ``socket_connect_timeout`` and ``socket_timeout``, which bound what one attempt costs.
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        options.setdefault("serializer", JSONSerializer)
        super().__init__(server, {**params, "OPTIONS": options})
        self._resting_until = 0.0
        self._down = False

    # --- the outage state, per process ------------------------------------------------------

    def is_resting(self) -> bool:
        return self._down and time.monotonic() < self._resting_until

    def record_failure(self, error: BaseException) -> None:
        self._resting_until = time.monotonic() + self.retry_after
        if not self._down:
            self._down = True
            logger.warning(
                "cache unavailable: serving without it (throttles fail open) and retrying "
                "every %.0f s: %s",
                self.retry_after,
                error,
            )

    def record_success(self) -> None:
        if self._down:
            self._down = False
            logger.warning("cache available again")

    def ping(self) -> bool:
        """Whether Redis answers now (readiness); tries even while resting, and ends the rest
        when it answers."""
        try:
            answered = bool(self._cache.get_client(write=True).ping())
        except UNAVAILABLE_ERRORS as error:
            self.record_failure(error)
            return False
        self.record_success()
        return answered

    def count(self, windows: Mapping[str, int]) -> dict[str, int] | None:
        """Add one to each counter ``key`` of ``windows``, which expires ``windows[key]``
        seconds after its first hit: every counter in one round trip (INCR, then EXPIRE NX,
        for each). Their new values by key; None while the cache is unavailable."""
        if self.is_resting():
            return None
        stored = {key: self.make_and_validate_key(key) for key in windows}
        try:
            # Writes all go to the first server (Django's RedisCacheClient), so one pipeline
            # reaches every key.
            pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, stored_key in stored.items():
                pipeline.incr(stored_key)
                pipeline.expire(stored_key, windows[key], nx=True)
            answers = pipeline.execute()
        except UNAVAILABLE_ERRORS as error:
            self.record_failure(error)
            return None
        self.record_success()
        return {key: int(hits) for key, hits in zip(windows, answers[::2], strict=True)}

    # --- Django's cache API, failing open ---------------------------------------------------

    @_fail_open(_not_stored)
    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return super().add(key, value, timeout, version)

    @_fail_open(_miss)
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return super().get(key, default, version)

    @_fail_open(_nothing)
    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return super().set(key, value, timeout, version)

    @_fail_open(_not_stored)
    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return super().touch(key, timeout, version)

    @_fail_open(_not_stored)
    def delete(self, key: Any, version: Any = None) -> Any:
        return super().delete(key, version)

    @_fail_open(_no_values)
    def get_many(self, keys: Iterable[Any], version: Any = None) -> Any:
        return super().get_many(keys, version)

    @_fail_open(_not_stored)
    def has_key(self, key: Any, version: Any = None) -> Any:
        return super().has_key(key, version)

    @_fail_open(_fresh_count)
    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        return super().incr(key, delta, version)

    @_fail_open(_all_failed)
    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> Any:
        return super().set_many(data, timeout, version)

    @_fail_open(_nothing)
    def delete_many(self, keys: Iterable[Any], version: Any = None) -> Any:
        return super().delete_many(keys, version)

    @_fail_open(_nothing)
    def clear(self) -> None:
        return super().clear()
