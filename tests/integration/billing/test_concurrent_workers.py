"""Billing's races through two gunicorn workers on one database, configured the way users
configure it (DATABASE_URL, also for a SQLite file): they end as they do on PostgreSQL, never in
a "database is locked" 503 (the settings side: tests/integration/test_sqlite_settings.py)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.servers import (
    GENEROUS_THROTTLES,
    AppServer,
    app_environment,
    isolated_database,
    register_and_login,
)

pytestmark = pytest.mark.slow

CONCURRENT = 10
SUBSCRIPTION = {"plan": "api-pro", "start_date": "2026-01-01", "end_date": "2027-01-01"}


def test_races_between_two_workers_end_as_on_postgresql(tmp_path: Path) -> None:
    with isolated_database(tmp_path, "it_concurrent_workers_test") as database:
        env = app_environment(GUNICORN_WORKERS="2", **GENEROUS_THROTTLES, **database)
        with AppServer(tmp_path, env) as server:
            auth = {"Authorization": f"Token {register_and_login(server, 'racer@example.com')}"}
            organization = server.request("POST", "/api/v1/orgs", {"name": "Racers"}, auth)
            assert organization.status == 201, organization.body
            credits_path = f"/api/v1/orgs/{organization.json()['id']}/account/credits"

            def subscribe(_: int) -> int:
                return server.request("POST", "/api/v1/me/subscriptions", SUBSCRIPTION, auth).status

            def credit(attempt: int) -> int:
                headers = {**auth, "Idempotency-Key": f"credit-{attempt}"}
                return server.request("POST", credits_path, {"amount_cents": 100}, headers).status

            with ThreadPoolExecutor(CONCURRENT) as pool:
                subscriptions = Counter(pool.map(subscribe, range(CONCURRENT)))
                credits = Counter(pool.map(credit, range(CONCURRENT)))

            account = server.request("GET", credits_path.removesuffix("/credits"), None, auth)
            log = server.output()

    # One subscription of the plan's type; every other attempt is told why (409).
    assert subscriptions == {201: 1, 409: CONCURRENT - 1}, log
    # Every credit lands, none is lost to a concurrent one.
    assert credits == {201: CONCURRENT}, log
    assert account.json()["balance_cents"] == 100 * CONCURRENT
