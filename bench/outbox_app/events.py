"""The integration event the benchmark records (side (a), the outbox)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from kernel.events import Event


@attrs.frozen
class Ping(Event):
    """Handled by ``handlers.Receive``: notes when its handler started."""

    name: ClassVar[str] = "bench_outbox.ping"

    key: str
