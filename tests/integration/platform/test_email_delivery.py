"""Account emails end to end, over real SMTP: the app (scripts/start, production settings), a
Celery worker and beat on a Redis server of this module's own, and an aiosmtpd server in this
process that keeps every message it is given (raw bytes and envelope).

What the SMTP server received is what is asserted on: the verification email after
registering, the password-reset email (and none for an unknown address), the links in them
followed through the API, and the outbox's promises when things break: a worker SIGKILLed in
the middle of a batch (every email still arrives; a copy can only repeat an earlier copy's
Message-ID), and Redis stopped while users register (every email arrives once it is back).

The stack is started once for the module (Redis database 0 is the cache, 1 the broker). Its
database is a SQLite file, or a database of its own on the PostgreSQL server DATABASE_URL names
(tests/servers.py, isolated_database), read here directly to see the outbox rows. Redis is
required: without redis-server these tests fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import random
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
SITE_NAME = "Mail Test"
FROM_ADDRESS = "no-reply@mail.test"
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
    at: float  # time.monotonic() when all of it was in

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
    """aiosmtpd's handler: keeps every message it is given, thread-safe (the server runs in a
    thread of its own, the tests read from theirs).

    A message is kept as soon as all of it is in, before the server answers 250, as a real
    server queues it first: a client that dies before the answer has had its email taken
    without knowing it. ``delay`` is how long that answer takes (a slow or distant server);
    aiosmtpd abandons a session whose client went away, so nothing kept after the answer
    would model it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self.delay = 0.0

    async def handle_DATA(  # noqa: N802  (aiosmtpd's name for the hook)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        item = Received(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
            at=time.monotonic(),
        )
        with self._lock:
            self._received.append(item)
        if self.delay:
            await asyncio.sleep(self.delay)
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
    # aiosmtpd logs every SMTP command at INFO: a dozen lines per email.
    smtp_log = logging.getLogger("mail.log")
    level = smtp_log.level
    smtp_log.setLevel(logging.WARNING)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
        smtp_log.setLevel(level)


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
def module_stack(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[Stack]:
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


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    """The module's stack, with a worker running (a test that killed one may have failed
    before it started the next) and an SMTP server that answers at once."""
    process = module_stack.worker.process
    if process is None or process.poll() is not None:
        module_stack.start_worker()
    module_stack.mailbox.delay = 0.0
    return module_stack


# --- helpers ------------------------------------------------------------------------------------


def new_address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def new_password() -> str:
    return f"{secrets.token_urlsafe(12)} a long and unusual passphrase"


def register(stack: Stack, email: str, password: str, name: str = "Tess Tester") -> int:
    registered = stack.app.request(
        "POST", "/api/v1/auth/register", {"email": email, "password": password, "name": name}
    )
    assert registered.status == 201, (registered.body, stack.logs())
    user_id: int = registered.json()["id"]
    return user_id


def login(stack: Stack, email: str, password: str) -> Response:
    return stack.app.request("POST", "/api/v1/auth/login", {"email": email, "password": password})


def recipient_digest(email: str) -> str:
    return hashlib.sha256(email.casefold().encode()).hexdigest()[:16]


def outbox_message_id(message_id: uuid.UUID, handler: str, email: str) -> str:
    """The Message-ID an outbox handler's email carries (adapters/platform/email.py)."""
    domain = FROM_ADDRESS.rpartition("@")[2]
    return f"<{message_id}.{handler}.{recipient_digest(email)}@{domain}>"


def link_token(received: Received, path: str) -> str:
    """The token of the email's one link, which must go to ``{FRONTEND_URL}{path}``."""
    urls: list[str] = URL.findall(received.text)
    assert len(urls) == 1, received.text
    parts = urlsplit(urls[0])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{FRONTEND_URL}{path}", urls
    query = parse_qs(parts.query, strict_parsing=True)
    assert list(query) == ["token"], urls
    [token] = query["token"]
    return token


def assert_invalid_token(answer: Response) -> None:
    assert answer.status == 400, answer.body
    assert answer.headers.get_content_type() == "application/problem+json", answer.headers
    body = answer.json()
    assert body["status"] == 400
    assert str(body["type"]).endswith(PROBLEM_TYPE_SUFFIX), body


def lasting(headers: Any) -> list[tuple[str, str]]:
    """A response's headers but those that differ between any two requests."""
    return [
        (name.lower(), value)
        for name, value in headers.items()
        if name.lower() not in PER_REQUEST_HEADERS
    ]


def rows_of(stack: Stack, name: str, user_ids: Sequence[int]) -> list[OutboxRow]:
    return [row for row in stack.outbox() if row.name == name and row.user_id in user_ids]


def all_done(rows: Sequence[OutboxRow], expected: int) -> bool:
    return len(rows) == expected and all(row.status == "done" for row in rows)


# --- the tests ----------------------------------------------------------------------------------


def test_registering_sends_a_verification_email_whose_link_verifies_the_address(
    stack: Stack,
) -> None:
    email, name, password = new_address("vera"), "Vera Verify", new_password()
    user_id = register(stack, email, password, name)

    [row] = stack.wait_until(
        lambda: [r for r in rows_of(stack, REGISTERED, [user_id]) if r.status == "done"],
        "the registration's event delivered",
    )
    time.sleep(0.2)  # anything else the worker would send has been sent by now
    [sent] = stack.mailbox.to(email)

    # From the worker, by SMTP, to the account; about the account; with one link.
    assert sent.mail_from == FROM_ADDRESS
    assert sent.rcpt_tos == (email,)
    message = sent.message
    assert message["To"] == email
    assert message["From"] == f"{SITE_NAME} <{FROM_ADDRESS}>"
    assert SITE_NAME in message["Subject"]
    assert sent.message_id == outbox_message_id(row.id, VERIFY_HANDLER, email)
    assert f"Hello {name}," in sent.text
    assert email in sent.text
    token = link_token(sent, "/verify-email")
    assert token not in stack.logs(limit=10_000_000)  # in the email only

    logged_in = login(stack, email, password)
    assert logged_in.status == 200, logged_in.body
    auth = {"Authorization": f"Token {logged_in.json()['token']}"}
    me = stack.app.request("GET", "/api/v1/me", headers=auth)
    assert me.json()["email_verified"] is False, me.body

    verified = stack.app.request("POST", "/api/v1/auth/verify-email", {"token": token})
    assert verified.status == 204, verified.body
    me = stack.app.request("GET", "/api/v1/me", headers=auth)
    assert me.status == 200, me.body
    assert me.json()["email_verified"] is True

    assert_invalid_token(stack.app.request("POST", "/api/v1/auth/verify-email", {"token": token}))
    stack.no_server_errors()


def test_a_password_reset_goes_by_email_to_accounts_only_and_its_link_works_once(
    stack: Stack,
) -> None:
    email, old_password = new_address("rita"), new_password()
    user_id = register(stack, email, old_password, "Rita Reset")
    stranger = new_address("nobody")
    resets_before = [row.name for row in stack.outbox()].count(RESET_REQUESTED)

    # The stranger first: once the account's email is in, the stranger's would have been too.
    unknown = stack.app.request("POST", "/api/v1/auth/password-reset", {"email": stranger})
    known = stack.app.request("POST", "/api/v1/auth/password-reset", {"email": email})

    assert known.status == unknown.status == 202, (known.body, unknown.body)
    assert known.body == unknown.body
    # Only Date (the second it was answered) and X-Request-ID (new for every request) differ.
    assert lasting(known.headers) == lasting(unknown.headers), (known.headers, unknown.headers)
    assert {name.lower() for name in known.headers} >= PER_REQUEST_HEADERS

    [sent] = stack.wait_until(
        lambda: stack.mailbox.to(email, RESET_HANDLER), "the reset email arrived"
    )
    [row] = stack.wait_until(
        lambda: [r for r in rows_of(stack, RESET_REQUESTED, [user_id]) if r.status == "done"],
        "the reset request's event delivered",
    )
    time.sleep(QUIET_SECONDS)
    assert stack.mailbox.to(stranger) == [], stack.mailbox.summary()
    assert len(stack.mailbox.to(email, RESET_HANDLER)) == 1
    # Nothing was recorded for the stranger: the one new reset event is the account's.
    assert [row.name for row in stack.outbox()].count(RESET_REQUESTED) == resets_before + 1
    assert sent.rcpt_tos == (email,)
    assert sent.message["To"] == email
    assert sent.message_id == outbox_message_id(row.id, RESET_HANDLER, email)
    assert "Hello Rita Reset," in sent.text
    assert email in sent.text
    token = link_token(sent, "/reset-password")

    new_password_ = new_password()
    confirm = {"token": token, "password": new_password_}
    confirmed = stack.app.request("POST", "/api/v1/auth/password-reset/confirm", confirm)
    assert confirmed.status == 204, confirmed.body

    assert login(stack, email, old_password).status == 401
    assert login(stack, email, new_password_).status == 200

    again = stack.app.request("POST", "/api/v1/auth/password-reset/confirm", confirm)
    garbage = stack.app.request(
        "POST",
        "/api/v1/auth/password-reset/confirm",
        {"token": secrets.token_urlsafe(24), "password": new_password()},
    )
    assert_invalid_token(again)
    assert again.body == garbage.body
    assert lasting(again.headers) == lasting(garbage.headers)
    stack.no_server_errors()


RESET_BATCH = 40
BATCH_ACCOUNTS = 2
# The worker is killed once this many of the batch's emails arrived.
KILL_AFTER = 8
# How long the SMTP server takes to answer a message it took: spreads the batch over a few
# seconds, so that the kill lands in the middle of it.
SMTP_DELAY_SECONDS = 0.1


def test_a_worker_killed_in_the_middle_of_a_batch_loses_no_email_and_sends_none_twice(
    stack: Stack,
) -> None:
    accounts = [new_address(f"batch{n}") for n in range(BATCH_ACCOUNTS)]
    with ThreadPoolExecutor(BATCH_ACCOUNTS) as pool:
        user_ids = list(pool.map(lambda email: register(stack, email, new_password()), accounts))
    users = dict(zip(accounts, user_ids, strict=True))
    for email in accounts:  # their verification emails out of the way
        stack.wait_until(
            functools.partial(stack.mailbox.to, email, VERIFY_HANDLER), "verification sent"
        )

    def resets() -> list[Received]:
        return [item for email in accounts for item in stack.mailbox.to(email, RESET_HANDLER)]

    stack.mailbox.delay = SMTP_DELAY_SECONDS
    try:
        with ThreadPoolExecutor(4) as pool:
            requests = [
                pool.submit(
                    stack.app.request,
                    "POST",
                    "/api/v1/auth/password-reset",
                    {"email": accounts[n % BATCH_ACCOUNTS]},
                )
                for n in range(RESET_BATCH)
            ]
            stack.wait_until(lambda: len(resets()) >= KILL_AFTER, f"{KILL_AFTER} resets sent")
            # Anywhere in the next email's exchange: most likely after the server took the
            # whole message and before its answer (the one moment a copy can come from).
            time.sleep(random.uniform(0, SMTP_DELAY_SECONDS))
            returncode = stack.kill_worker()
            killed_at = time.monotonic()  # nothing of the old worker's can come after this
            sent_before_the_kill = len(resets())
            answers = [request.result() for request in requests]
        assert Counter(answer.status for answer in answers) == {202: RESET_BATCH}, stack.logs()
        assert returncode == -signal.SIGKILL, stack.logs()
        assert sent_before_the_kill < RESET_BATCH, "the batch was over before the kill"

        stack.start_worker()
        stack.wait_until(
            lambda: all_done(rows_of(stack, RESET_REQUESTED, user_ids), RESET_BATCH),
            "every reset event delivered after the restart",
        )
    finally:
        stack.mailbox.delay = 0.0
    time.sleep(QUIET_SECONDS)  # a copy still on its way would arrive meanwhile

    rows = rows_of(stack, RESET_REQUESTED, user_ids)
    everything = stack.outbox()
    statuses = Counter(row.status for row in everything)
    report = (
        f"{sent_before_the_kill} of {RESET_BATCH} sent before the kill; attempts "
        f"{dict(Counter(row.attempts for row in rows))}; all outbox rows {dict(statuses)}"
    )
    # Nothing stuck, anywhere: every row of the database ended done.
    assert statuses == {"done": len(everything)}, f"{report}\n{stack.logs()}"
    inbox = stack.inbox()
    assert all(inbox[(row.id, RESET_HANDLER)] == 1 for row in rows), report

    duplicates: list[str] = []
    links: list[str] = []
    for email in accounts:
        received = stack.mailbox.to(email)
        # Every email to the account is an outbox handler's: its verification, then resets.
        handlers = Counter(item.handler for item in received)
        assert handlers.keys() == {VERIFY_HANDLER, RESET_HANDLER}, handlers
        assert handlers[VERIFY_HANDLER] == 1, handlers
        copies = [item for item in received if item.handler == RESET_HANDLER]
        expected = {
            outbox_message_id(row.id, RESET_HANDLER, email)
            for row in rows
            if row.user_id == users[email]
        }
        assert len(expected) == RESET_BATCH // BATCH_ACCOUNTS
        # Each expected email arrived; nothing else did (a copy with a Message-ID of its own
        # would be a second email the recipient cannot tell from the first).
        assert {item.message_id for item in copies} == expected, report
        first_seen: dict[str, Received] = {}
        for item in copies:
            first = first_seen.setdefault(item.message_id, item)
            if first is item:
                continue
            duplicates.append(item.message_id)
            # The same email, with the link of a token made by the second delivery (equally
            # valid, and dead once either is used); mail systems keep the first copy only.
            same_link = link_token(item, "/reset-password") == link_token(first, "/reset-password")
            links.append("same link" if same_link else "another token")
            # A copy repeats an email the server took just before the worker died.
            assert killed_at - SMTP_DELAY_SECONDS - 5.0 <= first.at <= killed_at, report
            assert item.message["Subject"] == first.message["Subject"]
            assert item.rcpt_tos == first.rcpt_tos
    # Shown with -s (or -rP): how often the kill caught an email between "250" and the commit.
    summary = f"{len(duplicates)} raw duplicate(s): {duplicates} ({links})"
    print(f"\nworker kill: {report}; {summary}")  # noqa: T201
    # Only the deliveries in flight at the kill can be repeated: one per pool process at most.
    assert len(duplicates) <= WORKER_CONCURRENCY, (duplicates, report)
    stack.no_server_errors()


def test_users_registering_while_redis_is_down_get_their_emails_once_it_is_back(
    stack: Stack,
) -> None:
    during = [new_address(f"outage{n}") for n in range(3)]
    user_ids = []
    stack.redis.stop()
    try:
        for email in during:
            started = time.monotonic()
            user_ids.append(register(stack, email, new_password()))
            took = time.monotonic() - started
            # The publish failed fast (one refused connect): the request was not held up.
            assert took < 5.0, (took, stack.logs())
        rows = rows_of(stack, REGISTERED, user_ids)
        # Committed, and waiting for the sweep.
        assert [row.status for row in rows] == ["pending"] * len(during), rows
        assert "could not publish" in stack.app.output(limit=5_000_000)
        assert not [item for email in during for item in stack.mailbox.to(email)]
    finally:
        stack.redis.start()  # on the same port, empty

    after = new_address("after-outage")
    user_ids.append(register(stack, after, new_password()))
    accounts = [*during, after]
    stack.wait_until(
        lambda: all_done(rows_of(stack, REGISTERED, user_ids), len(accounts)),
        "every registration's event delivered after the outage",
    )
    time.sleep(QUIET_SECONDS)

    delivered = {row.user_id: row for row in rows_of(stack, REGISTERED, user_ids)}
    for email, user_id in zip(accounts, user_ids, strict=True):
        received = stack.mailbox.to(email)
        assert [item.message_id for item in received] == [
            outbox_message_id(delivered[user_id].id, VERIFY_HANDLER, email)
        ], (email, stack.logs())
        link_token(received[0], "/verify-email")
    stack.no_server_errors()
