"""SIGTERM to the production server under load: requests in flight finish, then it exits.

An orchestrator stops a container by taking it out of rotation and sending SIGTERM to its
PID 1 (scripts/start execs gunicorn, so that is gunicorn's master). The clients here do what
the load balancer does: they send no new request once the signal is sent. Every request
already sent must then be answered in full (no 5xx, no reset connection), and gunicorn must
exit cleanly within its graceful timeout (GUNICORN_GRACEFUL_TIMEOUT). Logins are the load:
password hashing keeps each one in a worker long enough to be caught mid-request.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.servers import (
    GENEROUS_THROTTLES,
    AppServer,
    app_environment,
    isolated_database,
    register_and_login,
)

pytestmark = pytest.mark.slow

WORKERS = 2  # one client per worker: a request never waits in the listen backlog
GRACEFUL_TIMEOUT = 10


@attrs.frozen
class Outcome:
    started: float
    finished: float
    status: int | None
    error: str | None


def test_sigterm_lets_in_flight_requests_finish(tmp_path: Path) -> None:
    with isolated_database(tmp_path, "it_graceful_shutdown_test") as database:
        env = app_environment(
            GUNICORN_WORKERS=str(WORKERS),
            GUNICORN_GRACEFUL_TIMEOUT=str(GRACEFUL_TIMEOUT),
            **GENEROUS_THROTTLES,
            **database,
        )
        server = AppServer(tmp_path, env).start()
        try:
            register_and_login(server, "stopper@example.com", DEFAULT_PASSWORD)
            credentials = {"email": "stopper@example.com", "password": DEFAULT_PASSWORD}
            signalled = threading.Event()
            outcomes: list[Outcome] = []

            def log_in_until_signalled() -> None:
                while not signalled.is_set():
                    started = time.monotonic()
                    try:
                        answer = server.request("POST", "/api/v1/auth/login", credentials)
                        status, error = answer.status, None
                    except OSError as failure:
                        status, error = None, repr(failure)
                    outcomes.append(Outcome(started, time.monotonic(), status, error))

            assert server.process is not None
            with ThreadPoolExecutor(WORKERS) as pool:
                for _ in range(WORKERS):
                    pool.submit(log_in_until_signalled)
                time.sleep(1.5)
                signalled.set()
                sent_at = time.monotonic()
                os.kill(server.process.pid, signal.SIGTERM)
                exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT + 5)
                exited_at = time.monotonic()
        finally:
            server.stop(signal.SIGKILL)
        log = server.output(limit=100_000)

    in_flight = [o for o in outcomes if o.started < sent_at < o.finished]
    assert in_flight, "no request was in flight at SIGTERM: the test proves nothing"
    assert all(o.status == 200 for o in outcomes), [o for o in outcomes if o.status != 200]
    assert exit_code == 0, log
    assert exited_at - sent_at < GRACEFUL_TIMEOUT, log
    assert "Handling signal: term" in log
