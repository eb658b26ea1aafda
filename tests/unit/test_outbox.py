"""The outbox's pure parts: the retry schedule, and the in-memory outbox of the unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import attrs
import pytest

from adapters.platform.outbox.policy import RetryPolicy
from kernel.events import Event
from tests.unit.fakes import FakeUnitOfWork


def test_the_backoff_doubles_up_to_its_cap_then_gives_up() -> None:
    policy = RetryPolicy(max_attempts=6, backoff_seconds=2, backoff_max_seconds=10, jitter=False)

    assert [policy.countdown(failed) for failed in range(1, 7)] == [2, 4, 8, 10, 10, None]


def test_a_single_attempt_policy_never_retries() -> None:
    policy = RetryPolicy(max_attempts=1, backoff_seconds=2, backoff_max_seconds=10)

    assert policy.countdown(1) is None


def test_jitter_spreads_the_wait_between_half_and_all_of_it() -> None:
    policy = RetryPolicy(max_attempts=10, backoff_seconds=4, backoff_max_seconds=300)

    waits = [policy.countdown(3) for _ in range(200)]

    assert all(wait is not None and 8 <= wait <= 16 for wait in waits)
    assert len(set(waits)) > 1


def test_a_huge_attempt_count_stays_at_the_cap() -> None:
    policy = RetryPolicy(
        max_attempts=10_000, backoff_seconds=1, backoff_max_seconds=60, jitter=False
    )

    assert policy.countdown(5_000) == 60


@pytest.mark.parametrize(
    ("field", "make"),
    [
        (
            "max_attempts",
            lambda: RetryPolicy(max_attempts=0, backoff_seconds=1, backoff_max_seconds=5),
        ),
        (
            "backoff_seconds",
            lambda: RetryPolicy(max_attempts=3, backoff_seconds=-1, backoff_max_seconds=5),
        ),
        (
            "backoff_max_seconds",
            lambda: RetryPolicy(max_attempts=3, backoff_seconds=1, backoff_max_seconds=-1),
        ),
    ],
)
def test_a_nonsensical_policy_is_refused(field: str, make: Callable[[], RetryPolicy]) -> None:
    with pytest.raises(ValueError, match=field):
        make()


@attrs.frozen
class Happened(Event):
    name: ClassVar[str] = "tests.happened"

    n: int


def commit_then_fail(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.outbox.record(Happened(3))
        uow.commit()
        raise RuntimeError("after the commit, before the end: rolled back")


def test_the_fake_unit_of_work_keeps_events_only_when_it_commits() -> None:
    uow = FakeUnitOfWork()

    with uow:
        uow.outbox.record(Happened(1))
        uow.commit()
    with uow:
        uow.outbox.record(Happened(2))  # never committed
    with pytest.raises(RuntimeError):
        commit_then_fail(uow)

    assert uow.outbox.events == [Happened(1)]
    assert uow.outbox.names() == ["tests.happened"]
