"""``DATABASES["default"]`` from the environment, with the engine's tuning applied however the
database was named.

``DATABASE_URL`` names any database (``postgres://...``, ``sqlite:////srv/app.sqlite3``); without
it the app uses the SQLite file ``SQLITE_PATH``. SQLite gets the same tuning both ways: a URL
parsed by django-environ carries no OPTIONS, and a SQLite file used without them fails
concurrent writers with "database is locked" at once (docs/deploy.md, "SQLite").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ

SQLITE_ENGINE = "django.db.backends.sqlite3"

# WAL lets readers run beside a writer; IMMEDIATE transactions take the write lock when they
# begin, so concurrent writers queue (up to ``timeout`` seconds) instead of failing when a read
# turns into a write; foreign keys are enforced as on PostgreSQL.
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database_from_env(env: environ.Env, *, default_sqlite_path: Path) -> dict[str, Any]:
    """The default database: ``DATABASE_URL`` if set, else the SQLite file ``SQLITE_PATH``."""
    url = env.str("DATABASE_URL", default="")
    if url:
        database: dict[str, Any] = environ.Env.db_url_config(url)
    else:
        path = Path(env.str("SQLITE_PATH", default=str(default_sqlite_path)))
        database = {"ENGINE": SQLITE_ENGINE, "NAME": str(path)}
    # Connections are reused across requests (on SQLite too: opening one runs the PRAGMAs), and
    # checked before reuse, so a database that restarted costs one failed request at most.
    database.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    database["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_HEALTH_CHECKS", default=True)
    if database["ENGINE"] == SQLITE_ENGINE:
        tune_sqlite(database)
    return database


def tune_sqlite(database: dict[str, Any]) -> None:
    """Apply ``SQLITE_OPTIONS`` (options given explicitly win) and create the file's folder."""
    database["OPTIONS"] = SQLITE_OPTIONS | dict(database.get("OPTIONS") or {})
    name = str(database.get("NAME", ""))
    if name and name != ":memory:" and not name.startswith("file:"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
