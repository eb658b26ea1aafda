"""Fixtures of the API tests."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest

from tests.api.helpers import Deliver


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Deliver:
    """``with deliver(): ...``: what the block commits is delivered at its end, as after a
    real commit. The outbox's messages are delivered in-process (no broker in the tests), and
    Django's locmem backend keeps the emails they send in ``mail.outbox``."""

    def run() -> AbstractContextManager[Any]:
        context: AbstractContextManager[Any] = django_capture_on_commit_callbacks(execute=True)
        return context

    return run
