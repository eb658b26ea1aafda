"""Redis going away: throttles and every cache use fail open, /readyz tells the truth, and the
cache is used again once Redis is back, without a restart."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import redis as redis_module
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from tests.servers import RedisServer, dead_port

pytestmark = pytest.mark.django_db

RETRY_AFTER = 0.3
AUTH_LIMIT = 3


def _redis_cache(url: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "adapters.platform.persistence.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "RETRY_AFTER": RETRY_AFTER,
            },
        }
    }


def _strict_auth_throttle() -> dict[str, Any]:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": f"{AUTH_LIMIT}/minute"}
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as server:
        yield server


def _login_attempt(client: APIClient) -> int:
    # An empty body is a 400 from the view, after the throttle counted the attempt: the
    # throttle is what these tests watch, and no lock-out is involved.
    return client.post("/api/v1/auth/login", {}, format="json").status_code


def test_a_dead_redis_port_serves_every_request(caplog: pytest.LogCaptureFixture) -> None:
    with override_settings(CACHES=_redis_cache(f"redis://127.0.0.1:{dead_port()}/0")):
        caplog.set_level(logging.WARNING, logger="adapters.platform.persistence.cache")
        client = APIClient()

        registered = client.post(
            "/api/v1/auth/register",
            {"email": "ann@example.com", "password": "a long unusual passphrase", "name": "Ann"},
            format="json",
        )
        statuses = [_login_attempt(client) for _ in range(AUTH_LIMIT + 2)]
        ready = client.get("/readyz")

        cache.set("key", "value")
        assert cache.get("key", "missing") == "missing"
        assert cache.add("key", 1) is False
        assert cache.get_many(["key"]) == {}

    assert registered.status_code == 201, registered.content
    assert statuses == [400] * (AUTH_LIMIT + 2)  # no 500, and no 429: throttles fail open
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "unavailable", "broker": "not configured"},
    }
    warnings = [r for r in caplog.records if r.getMessage().startswith("cache unavailable")]
    assert len(warnings) == 1  # once per outage, not once per request


def test_throttles_hold_while_redis_is_up_fail_open_while_it_is_down_and_hold_again(
    redis: RedisServer,
) -> None:
    with override_settings(CACHES=_redis_cache(redis.url), REST_FRAMEWORK=_strict_auth_throttle()):
        client = APIClient()
        cache.clear()

        up = [_login_attempt(client) for _ in range(AUTH_LIMIT + 1)]
        assert client.get("/readyz").json()["checks"]["cache"] == "ok"

        redis.stop()
        down = [_login_attempt(client) for _ in range(AUTH_LIMIT + 1)]
        ready_while_down = client.get("/readyz")

        redis.start()
        time.sleep(RETRY_AFTER * 2)
        back = [_login_attempt(client) for _ in range(AUTH_LIMIT + 1)]
        ready_when_back = client.get("/readyz")

    assert up == [400] * AUTH_LIMIT + [429]
    assert down == [400] * (AUTH_LIMIT + 1)
    assert ready_while_down.status_code == 200
    assert ready_while_down.json()["checks"] == {
        "database": "ok",
        "cache": "unavailable",
        "broker": "not configured",
    }
    # Redis restarted empty: the window starts again, and the limit holds again.
    assert back == [400] * AUTH_LIMIT + [429]
    assert ready_when_back.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "not configured",
    }


def test_counters_are_shared_through_redis_and_expire(redis: RedisServer) -> None:
    with override_settings(CACHES=_redis_cache(redis.url)):
        from django.core.cache import caches

        from adapters.platform.persistence.cache import FailOpenRedisCache

        backend = caches["default"]
        assert isinstance(backend, FailOpenRedisCache)
        backend.clear()

        counts = [backend.count({"hits": 60}) for _ in range(3)]
        client = backend._cache.get_client(write=True)
        ttl = client.ttl(backend.make_and_validate_key("hits"))
        # Several counters at once, each with its own window, in one round trip.
        several = backend.count({"hits": 60, "other": 5})
        other_ttl = client.ttl(backend.make_and_validate_key("other"))

        cache.set("json", {"a": [1, 2]})
        stored = client.get(backend.make_and_validate_key("json"))
        value = cache.get("json")

    assert counts == [{"hits": 1}, {"hits": 2}, {"hits": 3}]
    assert several == {"hits": 4, "other": 1}
    assert 0 < other_ttl <= 5
    assert 0 < ttl <= 60  # EXPIRE NX: set by the first hit, not pushed back by later ones
    assert stored == b'{"a":[1,2]}'  # JSON, never a pickle
    assert value == {"a": [1, 2]}


def test_every_throttle_of_a_request_is_counted_in_one_round_trip(redis: RedisServer) -> None:
    """POST /auth/password-reset has two throttles (per address, per email asked for); one
    pipeline counts both, and each still holds its own limit."""
    from redis.client import Pipeline

    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "password_reset": "100/minute",
        "password_reset_email": "2/minute",
    }
    with (
        override_settings(
            CACHES=_redis_cache(redis.url),
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
        ),
        patch.object(Pipeline, "execute", autospec=True, side_effect=Pipeline.execute) as trips,
    ):
        cache.clear()
        client = APIClient()
        statuses = [
            client.post("/api/v1/auth/password-reset", {"email": "x@example.com"}).status_code
            for _ in range(3)
        ]
        per_request = trips.call_count / 3
        keys = redis_module.Redis.from_url(redis.url, decode_responses=True).keys("*throttle:*")
        counters = sorted(str(key).rsplit(":", 3)[1] for key in keys)

    assert statuses == [202, 202, 429]
    assert per_request == 1
    assert counters == ["password_reset", "password_reset_email"]
