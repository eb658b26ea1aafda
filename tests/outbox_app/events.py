"""The integration events the test context handles (recorded by the tests)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from kernel.events import Event


@attrs.frozen
class Noted(Event):
    """Handled by ``Note``: one line ``key`` in noted.log per time it takes effect."""

    name: ClassVar[str] = "outbox_test.noted"

    key: str


@attrs.frozen
class Flaky(Event):
    """Handled by ``FailSomeTimes``: fails ``failures`` times, then takes effect."""

    name: ClassVar[str] = "outbox_test.flaky"

    key: str
    failures: int
