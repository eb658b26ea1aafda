"""Deployment checks of the platform (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.database, deploy=True)
def production_database_is_not_sqlite(**_kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [
        checks.Warning(
            "The production database is a SQLite file.",
            hint="Set DATABASE_URL to a PostgreSQL database: a file inside a container is lost "
            "on restart and serializes every write.",
            id="bastion.W001",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def counters_are_shared_between_workers(**_kwargs: Any) -> list[checks.CheckMessage]:
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("LocMemCache"):
        return []
    return [
        checks.Warning(
            "Throttle counters live in each worker's memory (no REDIS_URL).",
            hint="Set REDIS_URL so that rate limits hold across workers and replicas.",
            id="bastion.W002",
        )
    ]
