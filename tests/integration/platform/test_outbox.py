"""The transactional outbox in one process: recording in the unit of work's transaction, the
relay, the inbox, the sweep, failures, the admin, and the composition root's wiring.

Handlers here are test doubles put in place of the handler directory (or declared on an
installed context for the wiring test); tests/integration/platform/test_outbox_worker.py runs
the same paths through real Celery processes.
"""

from __future__ import annotations

import ast
import json
import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import attrs
import pytest
import redis
from dependency_injector import providers
from django.core import checks
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from knox.models import AuthToken
from pytest_django import DjangoCaptureOnCommitCallbacks

from adapters.identity.apps import IdentityConfig
from adapters.identity.container import IdentityContainer
from adapters.identity.models import User
from adapters.identity.security import purge_expired_tokens
from adapters.platform.checks import deploy
from adapters.platform.idempotency.models import IdempotencyRecord
from adapters.platform.idempotency.tasks import prune_records
from adapters.platform.outbox import delivery, relay, tasks
from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status
from adapters.platform.outbox.ports import OutboxHandler
from adapters.platform.outbox.relay import InProcessTransport
from adapters.platform.outbox.tasks import prune as outbox_prune
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from kernel.events import Event, Payload
from src import container as composition
from src.outbox import CeleryTransport
from tests.factories import make_user
from tests.outbox_app.transports import BrokenTransport, RecordingTransport
from tests.servers import RedisServer, dead_port

pytestmark = pytest.mark.django_db


@attrs.frozen
class Pinged(Event):
    name: ClassVar[str] = "tests.pinged"
    version: ClassVar[int] = 2

    key: str
    count: int


@attrs.define
class Recorder:
    """A handler that notes each payload it takes (and may raise instead, ``failures`` times)."""

    failures: int = 0
    payloads: list[Payload] = attrs.field(factory=list)
    calls: int = 0

    def __call__(self, payload: Payload) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"planned failure {self.calls}")
        self.payloads.append(payload)


def handlers_for(**recorders: Callable[[Payload], None]) -> dict[str, list[OutboxHandler]]:
    return {Pinged.name: [OutboxHandler(name, handle) for name, handle in recorders.items()]}


@pytest.fixture
def recorder(container: composition.ApplicationContainer) -> Iterator[Recorder]:
    """The one handler of ``tests.pinged`` (in-process delivery, the test default)."""
    handler = Recorder()
    container.outbox.handlers.override(providers.Object(handlers_for(recorder=handler)))
    yield handler
    container.outbox.handlers.reset_override()


@pytest.fixture
def recording_transport(
    container: composition.ApplicationContainer,
) -> Iterator[RecordingTransport]:
    transport = RecordingTransport()
    container.outbox.transport.override(providers.Object(transport))
    yield transport
    container.outbox.transport.reset_override()


def record(event: Event, *, commit: bool = True) -> None:
    with DjangoUnitOfWork() as uow:
        uow.outbox.record(event)
        if commit:
            uow.commit()


def record_then_refuse() -> None:
    with DjangoUnitOfWork() as uow:
        uow.outbox.record(Pinged(key="a", count=1))
        raise ValueError("a business rule said no")


def only_message() -> OutboxMessage:
    return OutboxMessage.objects.get()


# --- recording: the unit of work's transaction ---------------------------------------------


def test_a_recorded_event_is_a_pending_row_announced_only_after_the_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    recording_transport: RecordingTransport,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        record(Pinged(key="a", count=1))
        message = only_message()
        assert recording_transport.published == []  # nothing before the commit

    assert (message.name, message.version, message.payload) == (
        "tests.pinged",
        2,
        {"key": "a", "count": 1},
    )
    assert message.status == Status.PENDING
    assert len(callbacks) == 1
    callbacks[0]()
    assert recording_transport.announced == [message.id]
    message.refresh_from_db()
    # Pending until a drain claims it (tasks.drain), or the sweep sends it.
    assert (message.status, message.published_at) == (Status.PENDING, None)


@pytest.mark.parametrize("how", ["no commit", "an exception"])
def test_a_rolled_back_unit_of_work_leaves_no_row_and_publishes_nothing(
    how: str,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    recording_transport: RecordingTransport,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        if how == "no commit":
            record(Pinged(key="a", count=1), commit=False)
        else:
            with pytest.raises(ValueError, match="business rule"):
                record_then_refuse()

    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert recording_transport.published == []


def test_an_inner_unit_of_work_that_rolls_back_takes_its_events_with_it(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    recording_transport: RecordingTransport,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), DjangoUnitOfWork() as outer:
        outer.outbox.record(Pinged(key="kept", count=1))
        record(Pinged(key="dropped", count=2), commit=False)
        outer.commit()

    assert list(OutboxMessage.objects.values_list("payload__key", flat=True)) == ["kept"]
    assert recording_transport.published == [only_message().id]


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="through the unit of work"):
        DjangoUnitOfWork().outbox.record(Pinged(key="a", count=1))


# --- in-process delivery (no broker configured) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_committing_process_delivers_once_after_the_commit(
    recorder: Recorder,
) -> None:
    with DjangoUnitOfWork() as uow:
        uow.outbox.record(Pinged(key="a", count=1))
        uow.commit()
        assert recorder.payloads == []  # not before the commit

    assert recorder.payloads == [{"key": "a", "count": 1}]
    message = only_message()
    assert message.status == Status.DONE
    assert message.attempts == 1
    assert message.finished_at is not None
    assert ProcessedEvent.objects.filter(event_id=message.id, handler="recorder").count() == 1


def test_delivering_a_message_twice_takes_effect_once(recorder: Recorder) -> None:
    record(Pinged(key="a", count=1))
    message_id = only_message().id
    OutboxMessage.objects.update(status=Status.PUBLISHED)  # as if still in flight

    first = delivery.deliver(message_id)
    # A redelivery before the message was marked done (the worker died right after the
    # handler's commit) finds the handler's claim.
    OutboxMessage.objects.update(status=Status.PUBLISHED)
    second = delivery.deliver(message_id)

    assert recorder.payloads == [{"key": "a", "count": 1}]
    assert (first.ran, first.failed, second.ran, second.failed) == (True, False, True, False)
    assert only_message().status == Status.DONE


def test_unknown_and_finished_messages_are_left_alone(recorder: Recorder) -> None:
    assert delivery.deliver(uuid.uuid4()) == delivery.NOTHING_TO_DO
    record(Pinged(key="a", count=1))
    message = only_message()
    for status in (Status.DONE, Status.FAILED):
        OutboxMessage.objects.update(status=status)
        assert delivery.deliver(message.id) == delivery.NOTHING_TO_DO
    assert recorder.calls == 0
    assert only_message().attempts == 0


def test_a_failing_handler_rolls_back_its_own_changes_and_only_its_own() -> None:
    def creates_then_fails(payload: Payload) -> None:
        make_user(email="rolled-back@example.com")
        raise RuntimeError("after a write")

    succeeding = Recorder()
    record(Pinged(key="a", count=1))
    message_id = only_message().id
    handlers = handlers_for(first=creates_then_fails, second=succeeding)

    attempt = delivery.deliver(message_id, handlers=handlers)

    assert (attempt.failed, attempt.attempts) == (True, 1)
    assert not User.objects.filter(email="rolled-back@example.com").exists()
    assert list(ProcessedEvent.objects.values_list("handler", flat=True)) == ["second"]
    message = only_message()
    assert message.status == Status.PENDING  # the caller decides: retry or give up
    assert "first: Traceback" in message.last_error
    assert "RuntimeError: after a write" in message.last_error

    # The next attempt runs only the handler that has not taken effect.
    retry = delivery.deliver(message_id, handlers=handlers_for(first=Recorder(), second=succeeding))
    assert (retry.failed, retry.attempts) == (False, 2)
    assert len(succeeding.payloads) == 1
    assert only_message().status == Status.DONE


def test_an_integrity_error_of_the_handler_is_a_failure_not_a_redelivery() -> None:
    existing = make_user(email="taken@example.com")

    def duplicates(payload: Payload) -> None:
        make_user(email=existing.email)

    record(Pinged(key="a", count=1))
    attempt = delivery.deliver(only_message().id, handlers=handlers_for(dup=duplicates))

    assert attempt.failed
    assert not ProcessedEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_failing_handler_marks_the_message_failed_and_the_commit_stands(
    container: composition.ApplicationContainer, caplog: pytest.LogCaptureFixture
) -> None:
    failing = Recorder(failures=1)
    container.outbox.handlers.override(providers.Object(handlers_for(failing=failing)))

    record(Pinged(key="a", count=1))  # no exception reaches the committing code

    message = only_message()
    assert message.status == Status.FAILED
    assert "planned failure 1" in message.last_error
    assert "failed for good" in caplog.text


# --- publishing and the sweep ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_refused_publish_is_a_warning_and_leaves_the_row_pending(
    container: composition.ApplicationContainer, caplog: pytest.LogCaptureFixture
) -> None:
    container.outbox.transport.override(providers.Object(BrokenTransport()))

    with caplog.at_level(logging.WARNING, logger="adapters.platform.outbox.relay"):
        record(Pinged(key="a", count=1))

    assert only_message().status == Status.PENDING
    assert "could not publish 1 message(s); the sweep will send them again" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_publishing_to_a_broker_that_is_down_fails_fast(
    container: composition.ApplicationContainer,
) -> None:
    transport = CeleryTransport(broker_url=f"redis://127.0.0.1:{dead_port()}/0")
    container.outbox.transport.override(providers.Object(transport))
    record(Pinged(key="warm-up", count=0))  # Celery's import, once per process

    started = time.perf_counter()
    record(Pinged(key="a", count=1))
    took = time.perf_counter() - started

    # A refused connection costs milliseconds: what matters is that nothing retries (kombu's
    # own retries would sleep 2 s before the second attempt).
    assert took < 0.4, f"a commit with the broker down took {took:.3f} s"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}


@pytest.mark.django_db(transaction=True)
@override_settings(OUTBOX_PUBLISH_TIMEOUT_SECONDS=0.2)
def test_a_broker_that_accepts_but_never_answers_costs_the_publish_timeout_once(
    container: composition.ApplicationContainer,
) -> None:
    # Listening, never accepting: connections open (the kernel's backlog), no reply ever comes.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        transport = CeleryTransport(broker_url=f"redis://127.0.0.1:{port}/0")
        container.outbox.transport.override(providers.Object(transport))

        started = time.perf_counter()
        record(Pinged(key="a", count=1))
        took = time.perf_counter() - started

    assert 0.15 < took < 1.0, f"a commit with a silent broker took {took:.3f} s"
    assert only_message().status == Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_commits_announced_to_redis_queue_one_drain_until_it_starts(
    container: composition.ApplicationContainer, tmp_path: Path
) -> None:
    with RedisServer(tmp_path) as server:
        client = redis.Redis.from_url(server.url)
        transport = CeleryTransport(broker_url=server.url)
        container.outbox.transport.override(providers.Object(transport))
        record(Pinged(key="a", count=1))
        record(Pinged(key="b", count=2))
        queued_before_the_drain = client.lrange("celery", 0, -1)
        transport.drain_starting()  # as a worker's drain does first
        record(Pinged(key="c", count=3))
        queued = client.lrange("celery", 0, -1)

    names = [json.loads(body)["headers"]["task"] for body in queued_before_the_drain]
    assert names == ["outbox.drain"], "two commits, one drain"
    assert [json.loads(body)["headers"]["task"] for body in queued] == ["outbox.drain"] * 2
    # The rows wait, pending, for the drain to claim them.
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_one_task_per_message_to_redis(
    container: composition.ApplicationContainer, tmp_path: Path
) -> None:
    with RedisServer(tmp_path) as server:
        transport = CeleryTransport(broker_url=server.url)
        ids = [
            OutboxMessage.objects.create(
                id=uuid.uuid4(), name="tests.pinged", version=2, payload={}, status=Status.PENDING
            ).id
            for _ in range(2)
        ]
        transport.publish(ids)
        queued = redis.Redis.from_url(server.url).lrange("celery", 0, -1)

    tasks = [json.loads(body)["headers"] for body in queued]
    assert [task["task"] for task in tasks] == ["outbox.deliver", "outbox.deliver"]
    assert {ast.literal_eval(task["argsrepr"])[0] for task in tasks} == {str(pk) for pk in ids}


def test_a_drain_claims_the_oldest_pending_messages_once() -> None:
    now = timezone.now()
    created = {}
    for age, status in ((30, Status.PENDING), (20, Status.PENDING), (10, Status.PENDING),
                        (40, Status.PUBLISHED), (50, Status.DONE)):  # fmt: skip
        message = OutboxMessage.objects.create(
            id=uuid.uuid4(), name="tests.pinged", version=2, payload={}, status=status
        )
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=now - timedelta(seconds=age))
        created[age] = message.pk

    first, second, third = (delivery.claim_pending(2) for _ in range(3))

    assert (first, second, third) == ([created[30], created[20]], [created[10]], [])
    claimed = OutboxMessage.objects.filter(pk__in=first + second)
    assert {row.status for row in claimed} == {Status.PUBLISHED}
    assert all(row.published_at is not None for row in claimed)


def test_the_sweep_resends_stale_pending_and_long_published_messages_only(
    recording_transport: RecordingTransport,
) -> None:
    now = timezone.now()
    ids = {}
    for label, status, age, published_age in [
        ("fresh pending", Status.PENDING, 1, None),
        ("stale pending", Status.PENDING, 60, None),
        ("recently published", Status.PUBLISHED, 3600, 60),
        ("published long ago", Status.PUBLISHED, 7200, 3600),
        ("done", Status.DONE, 7200, 7200),
        ("failed", Status.FAILED, 7200, 7200),
    ]:
        message = OutboxMessage.objects.create(
            id=uuid.uuid4(), name="tests.pinged", version=1, payload={}, status=status
        )
        OutboxMessage.objects.filter(pk=message.pk).update(
            created_at=now - timedelta(seconds=age),
            published_at=None if published_age is None else now - timedelta(seconds=published_age),
        )
        ids[label] = message.id

    with override_settings(OUTBOX_SWEEP_AFTER_SECONDS=5, OUTBOX_REDELIVER_AFTER_SECONDS=900):
        swept = relay.sweep(now)

    assert swept == 2
    assert recording_transport.published == [ids["stale pending"], ids["published long ago"]]
    resent = OutboxMessage.objects.get(pk=ids["stale pending"])
    assert resent.status == Status.PUBLISHED
    assert resent.published_at is not None
    assert resent.published_at >= now


def test_the_sweep_sends_nothing_when_nothing_is_due(
    recording_transport: RecordingTransport,
) -> None:
    record(Pinged(key="a", count=1))  # just recorded: the relay's own publish is on its way
    assert relay.sweep() == 0
    assert recording_transport.published == []


def test_the_sweep_with_the_broker_down_leaves_everything_pending(
    container: composition.ApplicationContainer,
) -> None:
    container.outbox.transport.override(providers.Object(BrokenTransport()))
    record(Pinged(key="a", count=1))
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=1))

    assert relay.sweep() == 0
    assert only_message().status == Status.PENDING


# --- the admin ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_admin_lists_messages_and_sends_failed_ones_again(
    container: composition.ApplicationContainer,
) -> None:
    failing = Recorder(failures=1)
    container.outbox.handlers.override(providers.Object(handlers_for(flaky=failing)))
    record(Pinged(key="a", count=1))
    message = only_message()
    assert message.status == Status.FAILED
    staff = make_user(email="staff@example.com", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)

    for path in (
        "/admin/outbox/outboxmessage/",
        "/admin/outbox/outboxmessage/?status__exact=failed&name=tests.pinged",
        f"/admin/outbox/outboxmessage/?q={message.id}",
        f"/admin/outbox/outboxmessage/{message.id}/change/",
        "/admin/outbox/processedevent/",
    ):
        assert admin.get(path).status_code == 200, path
    assert admin.get("/admin/outbox/outboxmessage/add/").status_code == 403

    response = admin.post(
        "/admin/outbox/outboxmessage/",
        {"action": "retry_failed", "_selected_action": [str(message.id)]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 failed message(s) sent again" in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.DONE  # delivered in-process, this time successfully
    assert message.attempts == 1  # a new series of attempts
    assert failing.payloads == [{"key": "a", "count": 1}]


def test_retrying_leaves_messages_that_have_not_failed_alone(
    recording_transport: RecordingTransport,
) -> None:
    record(Pinged(key="a", count=1))
    OutboxMessage.objects.update(status=Status.DONE)

    assert relay.retry_failed([only_message().id]) == 0
    assert only_message().status == Status.DONE


# --- the composition root ----------------------------------------------------------------------


def test_a_contexts_outbox_handlers_are_resolved_through_its_container(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = Recorder()
    monkeypatch.setattr(IdentityConfig, "outbox_handlers", {Pinged.name: "test_only_handler"})
    monkeypatch.setattr(
        IdentityContainer, "test_only_handler", providers.Object(handler), raising=False
    )
    application = composition.build_container(wire=False)

    directory = application.outbox.handlers()
    [resolved] = directory[Pinged.name]
    assert resolved.name == "identity.test_only_handler"
    resolved.handle({"key": "a"})
    assert handler.payloads == [{"key": "a"}]

    # Resolved when an event comes: a test's override of the provider applies.
    other = Recorder()
    application.identity.test_only_handler.override(providers.Object(other))
    resolved.handle({"key": "b"})
    assert other.payloads == [{"key": "b"}]


def test_the_transport_follows_the_broker_setting() -> None:
    application = composition.build_container(wire=False)
    with override_settings(CELERY_BROKER_URL=""):
        assert isinstance(application.outbox.transport(), InProcessTransport)
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        celery_transport = application.outbox.transport()
        assert isinstance(celery_transport, CeleryTransport)
        # One per container: its connection pool is reused by every publish.
        assert application.outbox.transport() is celery_transport


# --- deployment checks -------------------------------------------------------------------------


def check_ids(*functions: Callable[..., list[checks.CheckMessage]]) -> list[str]:
    return [str(message.id) for function in functions for message in function()]


def test_check_deploy_refuses_a_production_without_a_broker() -> None:
    with override_settings(CELERY_BROKER_URL=""):
        assert check_ids(deploy.outbox_has_a_broker) == ["bastion.E003"]
    with override_settings(CELERY_BROKER_URL="redis://broker.example.com:6379/1"):
        assert check_ids(deploy.outbox_has_a_broker) == []


@pytest.mark.parametrize(
    ("broker", "cache", "warned"),
    [
        ("redis://r.example.com:6379/1", "redis://r.example.com:6379/0", False),
        ("redis://r.example.com:6379/0", "redis://r.example.com:6379", True),
        ("redis://r.example.com/2", "redis://r.example.com:6379/2", True),
        ("redis://broker.example.com/0", "redis://cache.example.com/0", False),
        ("redis://r.example.com/0", "", False),
    ],
)
def test_check_deploy_warns_when_broker_and_cache_share_a_database(
    broker: str, cache: str, warned: bool
) -> None:
    caches = {"default": {"BACKEND": "x", "LOCATION": cache}}
    with override_settings(CELERY_BROKER_URL=broker, CACHES=caches):
        assert check_ids(deploy.broker_and_cache_are_apart) == (["bastion.W004"] if warned else [])


# --- the periodic jobs --------------------------------------------------------------------------


def test_the_prune_job_deletes_idempotency_records_past_the_retention() -> None:
    user = make_user()
    old = IdempotencyRecord.objects.create(user=user, key="old", fingerprint="f", status_code=201)
    IdempotencyRecord.objects.create(user=user, key="new", fingerprint="f", status_code=201)
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )

    with override_settings(IDEMPOTENCY_RETENTION_DAYS=7):
        assert prune_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_the_prune_job_deletes_delivered_messages_and_their_inbox_past_the_retention() -> None:
    def message(status: Status, days_ago: int) -> OutboxMessage:
        row = OutboxMessage.objects.create(
            id=uuid.uuid4(), name="test.pinged", version=1, payload={}, status=status
        )
        OutboxMessage.objects.filter(pk=row.pk).update(
            finished_at=timezone.now() - timedelta(days=days_ago)
        )
        ProcessedEvent.objects.create(event_id=row.id, handler="test.handler")
        return row

    old_done, recent_done = message(Status.DONE, 8), message(Status.DONE, 1)
    old_failed = message(Status.FAILED, 30)

    with override_settings(OUTBOX_RETENTION_DAYS=7):
        assert outbox_prune() == 1

    assert set(OutboxMessage.objects.values_list("id", flat=True)) == {
        recent_done.id,
        old_failed.id,
    }
    assert not ProcessedEvent.objects.filter(event_id=old_done.id).exists()
    assert ProcessedEvent.objects.count() == 2
    # A very late redelivery of a pruned message finds nothing to do.
    assert not delivery.deliver(old_done.id).ran


def test_expired_tokens_are_purged_and_live_ones_kept() -> None:
    user = make_user()
    expired, _ = AuthToken.objects.create(user=user, expiry=timedelta(hours=1))
    live, _ = AuthToken.objects.create(user=user, expiry=timedelta(hours=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    assert purge_expired_tokens() == 1

    assert list(AuthToken.objects.values_list("pk", flat=True)) == [live.pk]


def test_recording_happens_inside_the_callers_transaction() -> None:
    """The row exists, uncommitted, for the transaction that recorded it."""
    with transaction.atomic():
        record(Pinged(key="a", count=1))
        assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 1
        transaction.set_rollback(True)
    assert not OutboxMessage.objects.exists()


# --- readiness -----------------------------------------------------------------------------------


def test_readyz_reports_the_broker_without_failing_on_it(tmp_path: Path) -> None:
    client = Client()
    with RedisServer(tmp_path) as server, override_settings(CELERY_BROKER_URL=server.url):
        up = client.get("/readyz")
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{dead_port()}/1"):
        down = client.get("/readyz")

    assert up.status_code == 200
    assert up.json()["checks"]["broker"] == "ok"
    # The outbox keeps what cannot be published: no reason to take the instance out of rotation.
    assert down.status_code == 200
    assert down.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "unavailable"},
    }


def test_a_drain_out_of_time_gives_the_rest_of_its_share_back(
    monkeypatch: pytest.MonkeyPatch, recording_transport: RecordingTransport
) -> None:
    """Checked before each message: a slow handler cannot carry a drain into the task's time
    limit, and what it did not reach is pending again, for the next drain it announces."""
    now = timezone.now()
    ids = []
    for age in (30, 20, 10):
        message = OutboxMessage.objects.create(
            id=uuid.uuid4(), name="tests.pinged", version=2, payload={}, status=Status.PENDING
        )
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=now - timedelta(seconds=age))
        ids.append(message.pk)
    clock = [0.0]
    delivered: list[uuid.UUID] = []

    def slow_delivery(identifier: uuid.UUID) -> None:
        delivered.append(identifier)
        clock[0] += tasks.DRAIN_SECONDS  # one slow SMTP exchange uses up the drain's time

    monkeypatch.setattr(tasks, "monotonic", lambda: clock[0])
    monkeypatch.setattr(tasks, "_deliver_once", slow_delivery)

    assert tasks.drain() == 1

    assert delivered == ids[:1]
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == [Status.PUBLISHED, Status.PENDING, Status.PENDING]
    assert recording_transport.drains_started == 1
    assert recording_transport.announced == []  # announce([]): "queue a drain", no messages
