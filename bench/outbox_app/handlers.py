"""What both sides' handlers do: note the time they started, one line ``<key> <unix time>``
appended to ``<side>.log`` in ``BENCH_OUTBOX_RECEIPTS`` (the benchmark reads it)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kernel.events import Payload

OUTBOX = "outbox"
PLAIN = "plain"


def receipts_file(directory: Path, side: str) -> Path:
    return directory / f"{side}.log"


def note_receipt(side: str, key: str) -> None:
    """The handlers' whole work; the time is taken first, before the file is touched."""
    started = time.time()
    path = receipts_file(Path(os.environ["BENCH_OUTBOX_RECEIPTS"]), side)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"{key} {started:.6f}\n")


class Receive:
    """Side (a): the outbox handler of ``bench_outbox.ping`` (run through the inbox)."""

    def __call__(self, payload: Payload) -> None:
        note_receipt(OUTBOX, str(payload["key"]))
