"""``@idempotent``'s write path: one transaction, no savepoints, one statement that both stores
the answer and claims the key (``adapters/platform/idempotency/store.py``), and what happens to
the work of a request whose transaction cannot be kept.

The handlers here write through a real unit of work (an outbox row: any write would do), so
that "the work was undone" is a row that is not there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import attrs
import pytest
from dependency_injector import providers
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from adapters.identity.models import User
from adapters.platform.idempotency.decorators import REPLAYED_HEADER, idempotent
from adapters.platform.idempotency.models import IdempotencyRecord
from adapters.platform.idempotency.store import store_first_answer, stored_answer
from adapters.platform.outbox.models import OutboxMessage
from adapters.platform.persistence.transactions import all_or_nothing
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from kernel.events import Event
from src import container as composition
from tests.factories import make_user
from tests.outbox_app.transports import RecordingTransport

pytestmark = pytest.mark.django_db


@attrs.frozen
class Worked(Event):
    name: ClassVar[str] = "tests.worked"
    version: ClassVar[int] = 1

    step: str


class WorkView(APIView):
    """Writes an outbox row in a unit of work, then does what the body's ``outcome`` says."""

    @idempotent
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        outcome = data.get("outcome", "ok")
        with DjangoUnitOfWork() as uow:
            uow.outbox.record(Worked(step=outcome))
            if outcome == "refuse":
                raise ValidationError({"outcome": ["Refused after writing."]})
            if outcome == "crash":
                raise RuntimeError("the disk is full")
            if outcome != "forget":  # "forget": leave the unit of work without commit()
                uow.commit()
        return Response({"outcome": outcome}, status=status.HTTP_201_CREATED)


@pytest.fixture
def transport(container: composition.ApplicationContainer) -> Iterator[RecordingTransport]:
    recording = RecordingTransport()
    container.outbox.transport.override(providers.Object(recording))
    yield recording
    container.outbox.transport.reset_override()


@pytest.fixture
def owner() -> User:
    return make_user()


def post(user: User, key: str, **body: Any) -> Any:
    request = APIRequestFactory().post("/work", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    force_authenticate(request, user=user)
    response = WorkView.as_view()(request)
    if isinstance(response, Response):  # a replay is a plain HttpResponse, rendered already
        response.render()
    return response


def rows() -> list[str]:
    return list(OutboxMessage.objects.values_list("payload__step", flat=True))


# --- the statement that stores the first answer --------------------------------------------------


def test_the_first_answer_is_stored_and_a_second_one_is_not(owner: User) -> None:
    first = store_first_answer(
        user_id=owner.pk, key="k", fingerprint="f1", status_code=201, body='{"a":1}'
    )
    second = store_first_answer(
        user_id=owner.pk, key="k", fingerprint="f2", status_code=200, body='{"b":2}'
    )
    other_user = store_first_answer(
        user_id=make_user().pk, key="k", fingerprint="f3", status_code=200, body="{}"
    )

    assert (first, second, other_user) == (True, False, True)
    answer = stored_answer(user_id=owner.pk, key="k")
    assert (answer.fingerprint, answer.status_code, answer.body) == ("f1", 201, '{"a":1}')
    record = IdempotencyRecord.objects.get(user=owner, key="k")
    assert record.created_at is not None


def test_a_conflict_leaves_the_transaction_usable(owner: User) -> None:
    """No IntegrityError, so no savepoint is needed to go on (PostgreSQL aborts a transaction
    at the first error)."""
    with transaction.atomic():
        store_first_answer(user_id=owner.pk, key="k", fingerprint="f", status_code=201, body="{}")
        assert not store_first_answer(
            user_id=owner.pk, key="k", fingerprint="f", status_code=201, body="{}"
        )
        assert IdempotencyRecord.objects.filter(user=owner).count() == 1


# --- the request's transaction -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_first_request_takes_no_savepoint_and_reads_no_record_before_writing(
    owner: User, transport: RecordingTransport
) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = post(owner, "first")

    assert response.status_code == 201
    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    assert "SAVEPOINT" not in statements
    record_reads = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].upper().startswith("SELECT") and "idempotency" in query["sql"]
    ]
    assert record_reads == []
    assert rows() == ["ok"]
    assert transport.published == list(OutboxMessage.objects.values_list("pk", flat=True))


def test_a_replay_undoes_the_work_it_ran_again_and_answers_the_stored_response(
    owner: User, transport: RecordingTransport
) -> None:
    first = post(owner, "twice", outcome="ok")

    replay = post(owner, "twice", outcome="ok")

    assert replay.status_code == 201
    assert replay[REPLAYED_HEADER] == "true"
    assert replay.content == first.content
    assert rows() == ["ok"]  # one row: the replay's was rolled back


def test_a_key_reused_for_another_body_is_a_422_and_its_work_is_undone(
    owner: User, transport: RecordingTransport
) -> None:
    post(owner, "reused", outcome="ok")

    other = post(owner, "reused", outcome="forget")

    assert other.status_code == 422
    assert rows() == ["ok"]


def test_a_client_error_after_a_write_undoes_the_write_and_is_stored(
    owner: User, transport: RecordingTransport
) -> None:
    refused = post(owner, "refused", outcome="refuse")

    assert refused.status_code == 400
    assert rows() == []
    assert transport.published == []  # the rolled-back row was never published
    assert IdempotencyRecord.objects.get(key="refused").status_code == 400
    replay = post(owner, "refused", outcome="refuse")
    assert replay.status_code == 400
    assert replay[REPLAYED_HEADER] == "true"
    assert replay.content == refused.content


def test_a_client_error_loses_to_an_answer_stored_meanwhile(
    owner: User, transport: RecordingTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the rollback of the request that failed and the storing of its answer, a twin
    may have stored its own: that answer is the key's, and both get it."""
    target = "adapters.platform.idempotency.decorators.store_first_answer"

    def twin_first(**kwargs: Any) -> bool:
        monkeypatch.setattr(target, store_first_answer)
        store_first_answer(**{**kwargs, "status_code": 201, "body": '{"outcome":"twin"}'})
        return store_first_answer(**kwargs)

    monkeypatch.setattr(target, twin_first)
    # The twin stored the same request's fingerprint: the loser replays its answer.
    answer = post(owner, "raced", outcome="refuse")

    assert answer.status_code == 201
    assert answer[REPLAYED_HEADER] == "true"
    assert answer.content == b'{"outcome":"twin"}'


def test_a_unit_of_work_left_without_commit_keeps_nothing_but_the_answer(
    owner: User, transport: RecordingTransport
) -> None:
    response = post(owner, "forgot", outcome="forget")

    assert response.status_code == 201
    assert rows() == []
    assert IdempotencyRecord.objects.get(key="forgot").status_code == 201


def test_a_server_error_keeps_nothing_and_frees_the_key(
    owner: User, transport: RecordingTransport
) -> None:
    with pytest.raises(RuntimeError, match="the disk is full"):
        post(owner, "crashed", outcome="crash")

    assert rows() == []
    assert not IdempotencyRecord.objects.exists()
    assert post(owner, "crashed", outcome="ok").status_code == 201
    assert rows() == ["ok"]


# --- all_or_nothing ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_units_of_work_inside_all_or_nothing_join_its_transaction_without_savepoints(
    transport: RecordingTransport,
) -> None:
    with (
        CaptureQueriesContext(connection) as captured,
        all_or_nothing(),
        DjangoUnitOfWork() as outer,
    ):
        with DjangoUnitOfWork() as inner:
            inner.outbox.record(Worked(step="inner"))
            inner.commit()
        outer.commit()

    assert not any("SAVEPOINT" in query["sql"].upper() for query in captured.captured_queries)
    assert rows() == ["inner"]


@pytest.mark.django_db(transaction=True)
def test_a_unit_of_work_left_without_commit_dooms_all_or_nothing(
    transport: RecordingTransport,
) -> None:
    with all_or_nothing():
        with DjangoUnitOfWork() as uow:
            uow.outbox.record(Worked(step="dropped"))
        assert transaction.get_rollback()

    assert rows() == []


@pytest.mark.django_db(transaction=True)
def test_outside_all_or_nothing_an_inner_unit_of_work_is_still_a_savepoint(
    transport: RecordingTransport,
) -> None:
    with DjangoUnitOfWork() as outer:
        outer.outbox.record(Worked(step="kept"))
        with DjangoUnitOfWork() as inner:
            inner.outbox.record(Worked(step="dropped"))
        assert not transaction.get_rollback()
        outer.commit()

    assert rows() == ["kept"]


@pytest.mark.django_db(transaction=True)
def test_work_after_the_commit_of_all_or_nothing_takes_savepoints_again(
    transport: RecordingTransport,
) -> None:
    """An on_commit callback (in-process outbox delivery) runs its own transactions: a unit of
    work in them that is left without commit() must not doom them."""
    outcome: list[bool] = []

    def after_commit() -> None:
        with transaction.atomic():
            with DjangoUnitOfWork() as uow:
                uow.outbox.record(Worked(step="dropped"))
            outcome.append(transaction.get_rollback())
            OutboxMessage.objects.filter(payload__step="kept").update(version=2)

    with all_or_nothing(), DjangoUnitOfWork() as uow:
        uow.outbox.record(Worked(step="kept"))
        uow.commit()
        transaction.on_commit(after_commit)

    assert outcome == [False]
    assert list(OutboxMessage.objects.values_list("payload__step", "version")) == [("kept", 2)]
