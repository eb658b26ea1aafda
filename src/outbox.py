"""Which transport carries the outbox's messages to their handlers, decided by the settings.

- ``CELERY_BROKER_URL`` set (production): ``CeleryTransport``. A commit's messages are
  delivered by an ``outbox.drain`` task, queued only when none is queued yet, that delivers
  every pending message (fewer tasks than events: bench/outbox.py); the sweep's and the admin's
  messages go as an ``outbox.deliver`` task each, for the workers (``celery -A src worker``).
- unset (development, most tests): ``InProcessTransport``, delivery in the committing process
  right after the commit; ``make run`` needs no Redis and no worker.

Celery is imported the first time a message is published, not when the app starts: a process
that publishes nothing (``manage.py check``, most requests) never pays for it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from dependency_injector import providers
from django.conf import settings

from adapters.platform.outbox.ports import Transport
from adapters.platform.outbox.relay import InProcessTransport

if TYPE_CHECKING:
    from celery import Celery

DELIVER = "outbox.deliver"  # adapters/platform/outbox/tasks.py
DRAIN = "outbox.drain"
# Set (SET NX) by the announce that queues a drain, deleted by the drain as it starts: while it
# is set a drain is queued, and a commit needs none of its own. The expiry bounds what a lost
# drain (a broker that took the flag and lost the task) can delay: the sweep runs meanwhile.
DRAIN_QUEUED_KEY = "outbox:drain-queued"
DRAIN_QUEUED_SECONDS = 30


class CeleryTransport:
    """Sends each message as an ``outbox.deliver`` task, over connections of its own that give
    up at the first failure: with the broker down a publish costs one refused connect (or at
    most ``OUTBOX_PUBLISH_TIMEOUT_SECONDS`` against a broker that does not answer), then
    raises, and the relay leaves the rows to the sweep. Nothing here retries.

    The connections are pooled per process (a fresh one per publish costs about 8 ms, a pooled
    one 1 ms); a pooled connection whose broker went away reconnects on its next use.
    ``broker_url`` overrides ``CELERY_BROKER_URL`` (tests point it at a broker of their own).
    """

    POOL_LIMIT = 10

    def __init__(self, *, broker_url: str | None = None) -> None:
        self._broker_url = broker_url
        self._lock = threading.Lock()
        self._producers: Any = None
        self._pid = 0
        self._flag_client: Any = None
        self._flag_pid = 0

    def publish(self, message_ids: Sequence[UUID]) -> None:
        self._send([(DELIVER, [str(message_id)]) for message_id in message_ids])

    def announce(self, message_ids: Sequence[UUID]) -> None:
        """Queue a drain unless one is queued: one Redis command, and a task only then."""
        flags = self._flags()
        if flags is None:  # a broker other than Redis: no flag to share, a task each
            self.publish(message_ids)
            return
        if not flags.set(DRAIN_QUEUED_KEY, 1, nx=True, ex=DRAIN_QUEUED_SECONDS):
            return
        try:
            self._send([(DRAIN, [])])
        except Exception:
            with contextlib.suppress(Exception):  # best effort: the flag expires anyway
                flags.delete(DRAIN_QUEUED_KEY)
            raise

    def drain_starting(self) -> None:
        flags = self._flags()
        if flags is not None:
            flags.delete(DRAIN_QUEUED_KEY)

    def _send(self, tasks: Sequence[tuple[str, list[str]]]) -> None:
        from src.celery import app  # Celery's import is paid by the first publish only

        timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
        with self._producer_pool(app).acquire(block=True, timeout=timeout) as producer:
            for name, args in tasks:
                app.send_task(name, args=args, producer=producer, retry=False, ignore_result=True)

    def _flags(self) -> Any:
        """This process's client of the broker's Redis (None if the broker is not Redis)."""
        with self._lock:
            if self._flag_client is None or self._flag_pid != os.getpid():
                url = self._broker_url or settings.CELERY_BROKER_URL
                if not url.startswith(("redis://", "rediss://")):
                    return None
                import redis
                from redis.backoff import NoBackoff
                from redis.retry import Retry

                timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
                self._flag_client = redis.Redis.from_url(
                    url,
                    socket_timeout=timeout,
                    socket_connect_timeout=timeout,
                    retry=Retry(NoBackoff(), 0),  # one attempt, as for the tasks: the sweep retries
                )
                self._flag_pid = os.getpid()
            return self._flag_client

    def _producer_pool(self, app: Celery) -> Any:
        """This process's pool (a forked child makes its own: sockets are not shared)."""
        with self._lock:
            if self._producers is None or self._pid != os.getpid():
                from kombu.pools import ProducerPool

                timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
                connection = app.connection_for_write(
                    self._broker_url,
                    transport_options={
                        "max_retries": 0,  # kombu would sleep 2 s, 4 s... between attempts
                        "socket_connect_timeout": timeout,
                        "socket_timeout": timeout,
                    },
                    connect_timeout=timeout,
                )
                pool = connection.Pool(limit=self.POOL_LIMIT)
                self._producers = ProducerPool(pool, limit=self.POOL_LIMIT)
                self._pid = os.getpid()
            return self._producers


def broker_configured() -> str:
    """The ``providers.Selector`` key of the transport the settings ask for."""
    return "celery" if settings.CELERY_BROKER_URL else "in_process"


def transport_provider() -> providers.Provider[Transport]:
    """One transport per container and kind (a Celery one keeps its connection pool), chosen
    by the settings each time it is asked for."""
    return providers.Selector(
        broker_configured,
        celery=providers.Singleton(CeleryTransport),
        in_process=providers.Singleton(InProcessTransport),
    )
