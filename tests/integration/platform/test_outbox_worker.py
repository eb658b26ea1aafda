"""The outbox delivered by real Celery processes: ``scripts/start worker`` and ``scripts/start
beat`` on a Redis server of this module's own, sharing this test's database.

The worker runs the test context's handlers (tests/outbox_app, installed by its settings), whose
effects are lines in files; the test process records events through committed units of work and
publishes them over the same Redis, as the app does. Redis is required: without redis-server
these tests fail (tests/servers.py), they are never skipped.
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from dependency_injector import providers
from django.db import connection

from adapters.platform.outbox import relay
from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from kernel.events import Event
from src import container as composition
from src.outbox import CeleryTransport
from tests.outbox_app.events import Flaky, Noted
from tests.outbox_app.handlers import FLAKY, NOTES, lines, tries_file
from tests.servers import REPO_ROOT, CeleryProcess, RedisServer, app_environment

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DELIVERY_TIMEOUT = 30.0
DRAIN_RECEIVED = re.compile(r"Task outbox\.drain\[[0-9a-f-]+\] received")
SWEEP_AFTER_SECONDS = 1.0


@attrs.frozen
class Stack:
    redis: RedisServer
    worker: CeleryProcess
    beat: CeleryProcess
    effects: Path

    def logs(self) -> str:
        return f"--- worker\n{self.worker.output()}\n--- beat\n{self.beat.output()}"


def database_url_of_this_test() -> str:
    """The database this test process uses, as DATABASE_URL names it for the workers."""
    settings = connection.settings_dict
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings['NAME']}"
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, django_db_setup: None) -> Iterator[Stack]:
    tmp_path = tmp_path_factory.mktemp("outbox-worker")
    effects = tmp_path / "effects"
    effects.mkdir()
    redis = RedisServer(tmp_path).start()
    env = app_environment(
        DJANGO_SETTINGS_MODULE="tests.outbox_app.settings",
        DATABASE_URL=database_url_of_this_test(),
        CELERY_BROKER_URL=redis.url,
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
        CELERY_WORKER_CONCURRENCY="2",
        OUTBOX_TEST_EFFECTS=str(effects),
        OUTBOX_SWEEP_INTERVAL_SECONDS="0.5",
        OUTBOX_SWEEP_AFTER_SECONDS=str(SWEEP_AFTER_SECONDS),
        OUTBOX_RETRY_BACKOFF_SECONDS="0.2",
        OUTBOX_RETRY_BACKOFF_MAX_SECONDS="1",
        OUTBOX_MAX_ATTEMPTS="3",
        PYTHONPATH=str(REPO_ROOT),
    )
    worker = CeleryProcess(tmp_path, env, "worker")
    beat = CeleryProcess(tmp_path, env, "beat")
    try:
        worker.start()
        beat.start()
        yield Stack(redis=redis, worker=worker, beat=beat, effects=effects)
    finally:
        beat.stop()
        worker.stop()
        redis.stop()


@pytest.fixture
def transport(
    stack: Stack, container: composition.ApplicationContainer
) -> Iterator[CeleryTransport]:
    """This process publishes to the stack's Redis, as the app does with CELERY_BROKER_URL."""
    celery_transport = CeleryTransport(broker_url=stack.redis.url)
    container.outbox.transport.override(providers.Object(celery_transport))
    yield celery_transport
    container.outbox.transport.reset_override()


def record(event: Event) -> uuid.UUID:
    """Record ``event`` in a unit of work that commits (published after the commit)."""
    with DjangoUnitOfWork() as uow:
        uow.outbox.record(event)
        uow.commit()
    message = OutboxMessage.objects.filter(name=event.name).order_by("-created_at").first()
    assert message is not None
    return message.id


def wait_for(stack: Stack, condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} within {DELIVERY_TIMEOUT:.0f} s\n{stack.logs()}")


def finished(message_id: uuid.UUID) -> OutboxMessage | None:
    return OutboxMessage.objects.filter(
        pk=message_id, status__in=[Status.DONE, Status.FAILED]
    ).first()


def test_a_worker_delivers_an_event_recorded_by_a_committed_unit_of_work(
    stack: Stack, transport: CeleryTransport
) -> None:
    key = uuid.uuid4().hex
    message_id = record(Noted(key=key))

    message = wait_for(stack, lambda: finished(message_id), "delivered")

    assert message.status == Status.DONE, message.last_error
    assert message.attempts == 1
    assert message.published_at is not None
    assert lines(stack.effects, NOTES).count(key) == 1
    assert ProcessedEvent.objects.filter(event_id=message_id, handler="outbox_test.note").exists()


def test_a_burst_of_commits_is_delivered_by_fewer_drains_than_events(
    stack: Stack, transport: CeleryTransport
) -> None:
    """One drain task delivers every message committed before it claims: the tasks do not
    grow with the events (bench/outbox.py measures what that is worth)."""
    keys = [uuid.uuid4().hex for _ in range(60)]
    drains_before = len(DRAIN_RECEIVED.findall(stack.worker.output()))
    message_ids = [record(Noted(key=key)) for key in keys]

    for message_id in message_ids:
        done = wait_for(stack, functools.partial(finished, message_id), "delivered")
        assert done.status == Status.DONE, done.last_error

    noted = lines(stack.effects, NOTES)
    assert all(noted.count(key) == 1 for key in keys)
    drains = len(DRAIN_RECEIVED.findall(stack.worker.output())) - drains_before
    assert 1 <= drains < len(keys) // 2, stack.logs()


def test_a_redelivered_message_takes_effect_once(stack: Stack, transport: CeleryTransport) -> None:
    key = uuid.uuid4().hex
    message_id = record(Noted(key=key))
    # The same task twice more, as a broker redelivers after a lost worker.
    transport.publish([message_id, message_id])

    wait_for(stack, lambda: finished(message_id), "delivered")
    time.sleep(0.5)  # let the duplicates run (they find the inbox's claim)

    assert lines(stack.effects, NOTES).count(key) == 1
    assert ProcessedEvent.objects.filter(event_id=message_id).count() == 1


def test_a_handler_that_fails_twice_is_retried_with_backoff_and_takes_effect_once(
    stack: Stack, transport: CeleryTransport
) -> None:
    key = uuid.uuid4().hex
    message_id = record(Flaky(key=key, failures=2))

    message = wait_for(stack, lambda: finished(message_id), "delivered")

    assert message.status == Status.DONE, message.last_error
    assert message.attempts == 3
    assert "planned failure 2" in message.last_error  # what went wrong before, kept
    assert lines(stack.effects, FLAKY).count(key) == 1
    tries = [float(line) for line in lines(stack.effects, tries_file(key))]
    assert len(tries) == 3
    # Backoff 0.2 s, then 0.4 s, each with jitter down to half of it.
    first_wait, second_wait = tries[1] - tries[0], tries[2] - tries[1]
    assert first_wait >= 0.1
    assert second_wait >= 0.2


def test_a_handler_that_keeps_failing_ends_failed_after_the_last_attempt(
    stack: Stack, transport: CeleryTransport
) -> None:
    key = uuid.uuid4().hex
    message_id = record(Flaky(key=key, failures=99))

    message = wait_for(stack, lambda: finished(message_id), "given up")

    assert message.status == Status.FAILED
    assert message.attempts == 3  # OUTBOX_MAX_ATTEMPTS
    assert message.finished_at is not None
    assert "planned failure 3" in message.last_error
    assert lines(stack.effects, FLAKY).count(key) == 0
    assert len(lines(stack.effects, tries_file(key))) == 3


def test_a_message_committed_by_a_process_that_died_before_publishing_is_swept(
    stack: Stack, transport: CeleryTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The process dies between its commit and the publish: the row is there, nothing was sent.
    monkeypatch.setattr(relay, "publish_after_commit", lambda message_id: None)
    key = uuid.uuid4().hex
    message_id = record(Noted(key=key))
    assert OutboxMessage.objects.get(pk=message_id).status == Status.PENDING

    # Beat's sweep (every 0.5 s here) finds it once it is SWEEP_AFTER_SECONDS old.
    message = wait_for(stack, lambda: finished(message_id), "swept and delivered")

    assert message.status == Status.DONE
    assert lines(stack.effects, NOTES).count(key) == 1


def test_an_event_committed_while_the_broker_is_down_is_delivered_once_it_is_back(
    stack: Stack, transport: CeleryTransport, caplog: pytest.LogCaptureFixture
) -> None:
    key = uuid.uuid4().hex
    stack.redis.stop()
    try:
        started = time.perf_counter()
        message_id = record(Noted(key=key))
        took = time.perf_counter() - started

        # The commit stood, the request was not held up, and the row waits for the sweep.
        assert took < 1.0
        assert OutboxMessage.objects.get(pk=message_id).status == Status.PENDING
        assert "could not publish" in caplog.text
    finally:
        stack.redis.start()

    # Beat, worker and this process reconnect by themselves; the sweep sends the row.
    message = wait_for(stack, lambda: finished(message_id), "delivered after the outage")

    assert message.status == Status.DONE
    assert lines(stack.effects, NOTES).count(key) == 1
