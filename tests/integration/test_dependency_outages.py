"""Dependencies going away under the production server (scripts/start, two workers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import (
    AppServer,
    RedisServer,
    app_environment,
    isolated_database,
    register_and_login,
)

pytestmark = pytest.mark.slow


def test_redis_down_from_the_start_and_going_away_costs_no_request(tmp_path: Path) -> None:
    """REDIS_URL set while Redis is down, then Redis coming up and going away again: every
    request is served, /readyz stays 200 and says where the cache is."""
    redis = RedisServer(tmp_path)
    with isolated_database(tmp_path, "it_redis_outage_test") as database:
        env = app_environment(REDIS_URL=redis.url, REDIS_RETRY_SECONDS="0.2", **database)
        with AppServer(tmp_path, env) as server:
            token = register_and_login(server, "early@example.com")
            me = server.request("GET", "/api/v1/me", headers={"Authorization": f"Token {token}"})
            assert me.status == 200, me.body
            ready = server.request("GET", "/readyz")
            assert ready.status == 200, ready.body
            assert ready.json()["checks"] == {
                "database": "ok",
                "cache": "unavailable",
                "broker": "not configured",
            }

            with redis:
                register_and_login(server, "during@example.com")
                ready = server.request("GET", "/readyz")
                assert ready.json()["checks"] == {
                    "database": "ok",
                    "cache": "ok",
                    "broker": "not configured",
                }

            register_and_login(server, "after@example.com")
            ready = server.request("GET", "/readyz")
            assert ready.status == 200
            assert ready.json()["checks"]["cache"] == "unavailable"
            log = server.output(limit=200_000)

    assert '"status": 500' not in log
    assert "cache unavailable" in log
