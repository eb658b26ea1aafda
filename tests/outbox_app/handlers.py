"""The test context's handlers: their effects are lines in files of ``OUTBOX_TEST_EFFECTS``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kernel.events import Payload

NOTES = "noted.log"
FLAKY = "flaky.log"


def effects() -> Path:
    return Path(os.environ["OUTBOX_TEST_EFFECTS"])


def append(name: str, line: str) -> None:
    with (effects() / name).open("a", encoding="utf-8") as file:
        file.write(f"{line}\n")


def lines(directory: Path, name: str) -> list[str]:
    path = directory / name
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def tries_file(key: str) -> str:
    return f"tries-{key}.log"


class Note:
    def __call__(self, payload: Payload) -> None:
        append(NOTES, str(payload["key"]))


class FailSomeTimes:
    """Raises on its first ``failures`` calls for a key (each noted with its time), then takes
    effect."""

    def __call__(self, payload: Payload) -> None:
        key = str(payload["key"])
        append(tries_file(key), f"{time.time():.3f}")
        tries = len(lines(effects(), tries_file(key)))
        if tries <= int(payload["failures"]):
            raise RuntimeError(f"planned failure {tries} of {key}")
        append(FLAKY, key)
