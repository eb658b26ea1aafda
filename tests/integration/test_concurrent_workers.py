"""Two gunicorn workers, one database, configured the way users configure it (DATABASE_URL,
also for a SQLite file): races between the workers end as they do on PostgreSQL, never in a
"database is locked" 503."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.servers import (
    GENEROUS_THROTTLES,
    REPO_ROOT,
    AppServer,
    app_environment,
    isolated_database,
    register_and_login,
)

pytestmark = pytest.mark.slow

CONCURRENT = 10
SUBSCRIPTION = {"plan": "api-pro", "start_date": "2026-01-01", "end_date": "2027-01-01"}


def _settings_database(**env: str) -> dict[str, object]:
    """DATABASES["default"] as the production settings build it from ``env``."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=app_environment(**env),
        capture_output=True,
        text=True,
        check=True,
    )
    database: dict[str, object] = json.loads(result.stdout)
    return database


def test_sqlite_is_tuned_whether_named_by_database_url_or_sqlite_path(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"

    by_url = _settings_database(DATABASE_URL=f"sqlite:///{path}")
    by_path = _settings_database(SQLITE_PATH=str(path))

    assert by_url == by_path
    assert by_url["NAME"] == str(path)
    options = by_url["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    assert "journal_mode=WAL" in options["init_command"]
    assert by_url["CONN_HEALTH_CHECKS"] is True


def test_races_between_two_workers_end_as_on_postgresql(tmp_path: Path) -> None:
    with isolated_database(tmp_path, "bastion_concurrent_workers_test") as database:
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
