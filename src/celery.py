"""The Celery application: ``celery -A src worker`` and ``celery -A src beat`` load it.

Configured from the Django settings named ``CELERY_*`` (``src/settings/base.py``, "Work outside
the request"). Tasks are found in each installed app's ``tasks`` module: the outbox's
``outbox.deliver`` and ``outbox.sweep`` (adapters/platform/outbox), idempotency's pruning
(adapters/platform/idempotency), identity's token purge (adapters/identity).

Nothing imports this module while Django starts or serves: the web process loads it the first
time it publishes an outbox message to the broker (``src/outbox.py``), so ``manage.py`` commands
and requests that publish nothing never import Celery.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from celery import Celery, signals
from celery.schedules import crontab

from src.settings.project import PROJECT_SLUG

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

# Like manage.py; the image sets src.settings.prod.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "src.settings.dev")

app = Celery(PROJECT_SLUG)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule_periodic_jobs(sender: Celery, **_kwargs: Any) -> None:
    """What beat runs. Every job is idempotent, and only one beat may run per deployment (two
    would run each job twice). Wall-clock schedules for the slow jobs, so that a beat restarted
    more often than they are due (every deploy) still runs them."""
    from django.conf import settings

    sweep_every = settings.OUTBOX_SWEEP_INTERVAL_SECONDS
    # Sweeps queued while no worker ran expire, rather than run in a burst when one returns.
    sender.add_periodic_task(
        sweep_every, sender.signature("outbox.sweep"), name="outbox-sweep", expires=sweep_every
    )
    sender.add_periodic_task(
        crontab(hour="3", minute="17"),
        sender.signature("idempotency.prune_records"),
        name="prune-idempotency-records",
    )
    sender.add_periodic_task(
        crontab(hour="3", minute="37"),
        sender.signature("outbox.prune"),
        name="prune-delivered-outbox-messages",
    )
    # Identity's job (adapters/identity/tasks.py).
    sender.add_periodic_task(
        crontab(minute="7"),
        sender.signature("identity.purge_expired_tokens"),
        name="purge-expired-tokens",
    )
    # Organizations' job (adapters/organizations/tasks.py).
    sender.add_periodic_task(
        crontab(minute="*/15"),
        sender.signature("organizations.expire_invitations"),
        name="expire-invitations",
    )


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**_kwargs: Any) -> None:
    """Around each task as Django does around each request: close the connections that broke
    or outlived CONN_MAX_AGE, now that CELERY_DB_REUSE_MAX keeps the others open."""
    from django.db import close_old_connections

    close_old_connections()


# The receiver's key: keyed by id(), a receiver may be taken for a dead one that had its id.
ASYNC_COMMIT = "outbox.worker.commit-asynchronously"


@signals.worker_init.connect
def _commit_without_waiting_for_the_disk(**_kwargs: Any) -> None:
    """Before the pool forks: every database connection the worker opens skips the wait for
    the WAL flush at commit, unless OUTBOX_WORKER_SYNCHRONOUS_COMMIT (src/settings/base.py says
    what a database crash may cost). That wait is most of a delivery's time: one fsync per
    commit (bench/outbox.py)."""
    from django.conf import settings
    from django.db.backends.signals import connection_created

    if not settings.OUTBOX_WORKER_SYNCHRONOUS_COMMIT:
        connection_created.connect(commit_asynchronously, weak=False, dispatch_uid=ASYNC_COMMIT)


def commit_asynchronously(connection: BaseDatabaseWrapper, **_kwargs: Any) -> None:
    """``connection_created`` receiver: PostgreSQL's asynchronous commit for this session."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


@signals.worker_init.connect
@signals.beat_init.connect
def _require_a_broker(**_kwargs: Any) -> None:
    """A worker or beat without CELERY_BROKER_URL would wait on Celery's default broker
    (RabbitMQ on localhost) forever; stop and say what is missing instead. (SystemExit, since
    Celery logs and ignores exceptions raised by signal receivers.)"""
    if not app.conf.broker_url:
        raise SystemExit(
            "Set CELERY_BROKER_URL (e.g. redis://localhost:6379/1) to run a worker or beat. "
            "Without a broker the app delivers its outbox in-process and needs neither."
        )
