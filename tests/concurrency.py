"""Run callables at the same instant in separate threads, each with its own connection.

Tests using it need ``django_db(transaction=True)``: a test-case transaction would hide what
the other threads do (and a missing ``atomic()`` around ``select_for_update``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def race(calls: list[Callable[[], T]], *, timeout: float = 60) -> list[T | BaseException]:
    """Start every call together; return each result, or the exception it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | BaseException:
        try:
            barrier.wait(timeout=10)
            return call()
        except Exception as error:  # reported to the test, which asserts on it
            return error
        finally:
            # Each thread opened its own connection; PostgreSQL refuses to drop the test
            # database while one stays open.
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls, timeout=timeout))
