"""Deployment checks of the platform (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

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


@checks.register(deploy=True)
def outbox_has_a_broker(**_kwargs: Any) -> list[checks.CheckMessage]:
    if settings.CELERY_BROKER_URL:
        return []
    return [
        checks.Error(
            "No broker is configured (CELERY_BROKER_URL): integration events would be "
            "delivered inside the web processes, with no retry and no periodic sweep.",
            hint="Set CELERY_BROKER_URL to a Redis database (redis://host:6379/1) and run "
            "`scripts/start worker` and exactly one `scripts/start beat` beside the app "
            '(docs/deploy.md, "Workers").',
            id="bastion.E003",
        )
    ]


def _redis_database(url: str) -> tuple[str, int, str] | None:
    """(host, port, database) of a redis:// or rediss:// URL, None for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        return None
    database = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    return (parts.hostname or "localhost", parts.port or 6379, database)


@checks.register(checks.Tags.caches, deploy=True)
def broker_and_cache_are_apart(**_kwargs: Any) -> list[checks.CheckMessage]:
    cache = settings.CACHES["default"]
    broker = _redis_database(settings.CELERY_BROKER_URL)
    if broker is None or broker != _redis_database(str(cache.get("LOCATION", ""))):
        return []
    return [
        checks.Warning(
            "The broker and the cache share one Redis database.",
            hint="Give CELERY_BROKER_URL a database (or server) of its own: clearing the cache "
            "(FLUSHDB) or evicting its keys would drop queued tasks.",
            id="bastion.W004",
        )
    ]


_UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@checks.register(deploy=True)
def emails_are_sent(**_kwargs: Any) -> list[checks.CheckMessage]:
    if settings.EMAIL_BACKEND not in _UNSENT_EMAIL_BACKENDS:
        return []
    return [
        checks.Warning(
            "Emails are not sent (no EMAIL_URL; production discards them): password resets, "
            "email verifications and invitations never reach anyone.",
            hint="Set EMAIL_URL to your SMTP server (smtp+tls://user:password@host:587) and "
            "DEFAULT_FROM_EMAIL to an address it may send from.",
            id="bastion.W005",
        )
    ]


@checks.register(deploy=True)
def frontend_url_is_set(**_kwargs: Any) -> list[checks.CheckMessage]:
    parts = urlsplit(str(settings.FRONTEND_URL))
    if parts.scheme == "https" and parts.netloc:
        return []
    if parts.scheme == "http" and parts.netloc:
        return [
            checks.Warning(
                "FRONTEND_URL is a plain-HTTP URL: the one-time tokens in email links would "
                "travel unencrypted.",
                hint="Use the https:// address of the frontend.",
                id="bastion.W007",
            )
        ]
    return [
        checks.Error(
            "FRONTEND_URL is not an absolute URL: the links in password-reset and verification "
            "emails would lead nowhere.",
            hint="Set FRONTEND_URL to the frontend's address (https://app.example.com); links "
            "go to /reset-password?token=... and /verify-email?token=... under it.",
            id="bastion.E006",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def cors_does_not_pair_any_origin_with_credentials(**_kwargs: Any) -> list[checks.CheckMessage]:
    if not (settings.CORS_ALLOW_ALL_ORIGINS and settings.CORS_ALLOW_CREDENTIALS):
        return []
    return [
        checks.Error(
            'CORS_ALLOWED_ORIGINS is "*" and CORS_ALLOW_CREDENTIALS is on: any web page a user '
            "visits could send credentialed requests to the API and read the answers.",
            hint="List the frontend's origins in CORS_ALLOWED_ORIGINS "
            "(https://app.example.com,https://admin.example.com), or turn credentials off.",
            id="bastion.E008",
        )
    ]
