"""SQLite is tuned for concurrent workers however it is configured (DATABASE_URL or SQLITE_PATH);
the races through two workers that prove it are each context's (tests/integration/billing/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import production_settings

pytestmark = pytest.mark.slow


def _settings_database(**env: str) -> dict[str, object]:
    """DATABASES["default"] as the production settings build it from ``env``."""
    database: dict[str, object] = production_settings("DATABASES", **env)["DATABASES"]["default"]
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
