"""What every context's in-memory unit of work shares."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class FakeUnitOfWork:
    """Counts commits; in memory there is nothing to roll back. Subclasses add repositories."""

    def __init__(self) -> None:
        self.commits = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        self.commits += 1
