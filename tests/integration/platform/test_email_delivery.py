"""Account emails end to end, over real SMTP: the app (scripts/start, production settings), a
Celery worker and beat on a Redis server of this module's own, and an aiosmtpd server in this
process that keeps every message it accepts (raw bytes and envelope).

What the SMTP server received is what is asserted on: the verification email after
registering, the password-reset email (and none for an unknown address), the links in them
followed through the API, and the outbox's promises when things break: a worker SIGKILLed in
the middle of a batch (every email still arrives; a copy can only repeat an earlier copy's
Message-ID), and Redis stopped while users register (every email arrives once it is back).

The stack is started once for the module. Its database is a SQLite file, or a database of its
own on the PostgreSQL server DATABASE_URL names (tests/servers.py, isolated_database), read
here directly to see the outbox rows. Redis is required: without redis-server these tests fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
import signal
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, LiteralString, TypeVar
from urllib.parse import parse_qs, urlsplit

import attrs
import psycopg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.servers import (
    GENEROUS_THROTTLES,
    AppServer,
    CeleryProcess,
    RedisServer,
    Response,
    app_environment,
    free_port,
    isolated_database,
)

pytestmark = pytest.mark.slow

T = TypeVar("T")

FRONTEND_URL = "https://app.example.test"
SITE_NAME = "Bastion Mail Test"
FROM_ADDRESS = "no-reply@bastion.test"
DELIVERY_TIMEOUT = 45.0
# How long "nothing more arrives" is watched for: many times what one email takes here.
QUIET_SECONDS = 1.5
WORKER_CONCURRENCY = 2
SWEEP_INTERVAL_SECONDS = 0.5
SWEEP_AFTER_SECONDS = 1.0
# A published message its worker never finished (SIGKILLed) is sent again this long after.
REDELIVER_AFTER_SECONDS = 3.0

VERIFY_HANDLER = "identity.send_verification_email"
RESET_HANDLER = "identity.send_password_reset_email"
REGISTERED = "identity.user_registered"
RESET_REQUESTED = "identity.password_reset_requested"
PROBLEM_TYPE_SUFFIX = ":problem:invalid-token"
# Every email an outbox handler sends: <message id.handler.recipient digest@sender's domain>.
OUTBOX_MESSAGE_ID = re.compile(r"^<([0-9a-f-]{36})\.([\w.]+)\.([0-9a-f]{16})@([^>]+)>$")
URL = re.compile(r"https?://\S+")
# Response headers that differ between any two requests, whatever they ask: when it was
# answered, and the request id (a new one per request: tests/servers.py sends none).
PER_REQUEST_HEADERS = frozenset({"date", "x-request-id"})


# --- the SMTP server ------------------------------------------------------------------------


@attrs.frozen
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    at: float  # time.monotonic() when accepted

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.raw)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()

    @property
    def handler(self) -> str | None:
        match = OUTBOX_MESSAGE_ID.match(self.message_id)
        return match[2] if match else None

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage), self.raw
        return str(body.get_content())


class Mailbox:
    """aiosmtpd's handler: keeps every accepted message, thread-safe (the server runs in a
    thread of its own, the tests read from theirs). ``delay`` is the time the server takes,
    once it has the whole message, before it answers 250: a server that checks what it got."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self.delay = 0.0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or b""
        with self._lock:
            self._received.append(
                Received(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    raw=raw,
                    at=time.monotonic(),
                )
            )
        return "250 Message accepted for delivery"

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def to(self, address: str, handler: str | None = None) -> list[Received]:
        """What was sent to ``address`` (by ``handler``, if named), in order of arrival."""
        return [
            item
            for item in self.received()
            if address in item.rcpt_tos and (handler is None or item.handler == handler)
        ]

    def summary(self) -> str:
        received = self.received()
        return f"{len(received)} messages, to {Counter(r for m in received for r in m.rcpt_tos)}"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    handler = Mailbox(port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


# --- the stack --------------------------------------------------------------------------------


@attrs.frozen
class OutboxRow:
    id: uuid.UUID
    name: str
    status: str
    attempts: int
    user_id: int | None


@attrs.define
class Stack:
    tmp_path: Path
    env: dict[str, str]
    database_url: str
    mailbox: Mailbox
    redis: RedisServer
    app: AppServer
    worker: CeleryProcess
    beat: CeleryProcess
    cleanup: contextlib.ExitStack
    retired: list[CeleryProcess] = attrs.field(factory=list)

    def logs(self, limit: int = 3000) -> str:
        named = [
            ("app", self.app),
            *((f"worker (killed) {n}", worker) for n, worker in enumerate(self.retired)),
            ("worker", self.worker),
            ("beat", self.beat),
        ]
        parts = [f"--- {name}\n{process.output(limit)}" for name, process in named]
        return "\n".join([*parts, f"--- smtp: {self.mailbox.summary()}"])

    def wait_until(
        self, condition: Callable[[], T], what: str, timeout: float = DELIVERY_TIMEOUT
    ) -> T:
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"not {what} within {timeout:.0f} s\n{self.logs()}")
            time.sleep(0.05)

    def query(self, statement: LiteralString) -> list[tuple[Any, ...]]:
        """A read of the app's database, as the app committed it."""
        if self.database_url.startswith("sqlite:///"):
            path = self.database_url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(path, timeout=20)) as connection:
                return connection.execute(statement).fetchall()
        with psycopg.connect(self.database_url, connect_timeout=10) as connection:
            return connection.execute(statement).fetchall()

    def outbox(self) -> list[OutboxRow]:
        rows = self.query("SELECT id, name, status, attempts, payload FROM outbox_outboxmessage")
        found = []
        for message_id, name, status, attempts, payload in rows:
            data = payload if isinstance(payload, dict) else json.loads(payload)
            user_id = data.get("user_id")
            found.append(
                OutboxRow(
                    id=uuid.UUID(str(message_id)),
                    name=name,
                    status=status,
                    attempts=attempts,
                    user_id=None if user_id is None else int(user_id),
                )
            )
        return found

    def user_ids(self) -> dict[str, int]:
        return {email: user_id for user_id, email in self.query("SELECT id, email FROM identity_user")}

    def inbox(self) -> Counter[tuple[uuid.UUID, str]]:
        rows = self.query("SELECT event_id, handler FROM outbox_processedevent")
        return Counter((uuid.UUID(str(event_id)), handler) for event_id, handler in rows)

    def kill_worker(self) -> int:
        """SIGKILL the worker's whole process group (its master and every pool process)."""
        returncode = self.worker.stop(signal.SIGKILL)
        self.retired.append(self.worker)
        return returncode

    def start_worker(self) -> None:
        # A folder of its own: CeleryProcess is ready once its log says " ready.", and the
        # killed worker's log says so already.
        folder = self.tmp_path / f"worker-{len(self.retired) + 1}"
        folder.mkdir()
        worker = CeleryProcess(folder, self.env, "worker")
        self.cleanup.callback(worker.stop)
        self.worker = worker
        worker.start()

    def no_server_errors(self) -> None:
        log = self.app.output(limit=5_000_000)
        assert '"status": 5' not in log, self.logs()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[Stack]:
    tmp_path = tmp_path_factory.mktemp("email-delivery")
    with contextlib.ExitStack() as cleanup:
        redis = cleanup.enter_context(RedisServer(tmp_path))
        # The pid: two runs on one PostgreSQL server never drop each other's database.
        database = cleanup.enter_context(
            isolated_database(tmp_path, f"it_email_delivery_test_{os.getpid()}")
        )
        env = app_environment(
            **GENEROUS_THROTTLES,
            **database,
            THROTTLE_PASSWORD_RESET_RATE="100000/minute",
            THROTTLE_PASSWORD_RESET_EMAIL_RATE="100000/minute",
            THROTTLE_VERIFICATION_EMAIL_RATE="100000/minute",
            REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
            CELERY_BROKER_URL=f"redis://127.0.0.1:{redis.port}/1",
            CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
            CELERY_WORKER_CONCURRENCY=str(WORKER_CONCURRENCY),
            OUTBOX_SWEEP_INTERVAL_SECONDS=str(SWEEP_INTERVAL_SECONDS),
            OUTBOX_SWEEP_AFTER_SECONDS=str(SWEEP_AFTER_SECONDS),
            OUTBOX_REDELIVER_AFTER_SECONDS=str(REDELIVER_AFTER_SECONDS),
            # Plain SMTP, no credentials: smtp:// (not smtp+tls://) sets neither TLS option.
            EMAIL_URL=f"smtp://127.0.0.1:{mailbox.port}",
            DEFAULT_FROM_EMAIL=f"{SITE_NAME} <{FROM_ADDRESS}>",
            SITE_NAME=SITE_NAME,
            FRONTEND_URL=FRONTEND_URL,
        )
        app = AppServer(tmp_path, env)
        worker = CeleryProcess(tmp_path, env, "worker")
        beat = CeleryProcess(tmp_path, env, "beat")
        for process in (app, worker, beat):
            cleanup.callback(process.stop)  # also when another one fails to start
        # Neither worker nor beat touches the database before a task comes (the app migrates).
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda process: process.start(), (app, worker, beat)))
        built = Stack(
            tmp_path=tmp_path,
            env=env,
            database_url=database["DATABASE_URL"],
            mailbox=mailbox,
            redis=redis,
            app=app,
            worker=worker,
            beat=beat,
            cleanup=cleanup,
        )
        ready = app.request("GET", "/readyz")
        assert ready.status == 200, (ready.body, built.logs())
        assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
        yield built


