"""Scale-out: two app deployments (two gunicorn masters, scripts/start with the production
settings, on two ports) and two Celery workers, plus beat, all on ONE PostgreSQL database and
ONE Redis (a server of this module's own: database 0 the cache, database 1 the broker), as
the brief's "Scale-out" promises: balances, throttles, idempotency and event delivery stay
correct across processes.

Each test spreads its requests over both masters from several threads at once:

- payments of one account never overdraw it, whichever master takes them;
- a throttle's limit holds in total, not per master (the counters live in the shared Redis);
- one Idempotency-Key sent through both masters at once does the work once;
- a thousand integration events recorded through both masters are each handled exactly once
  by the two workers: one inbox row per (message, handler), one email each (written by
  Django's file backend, EMAIL_URL=filemail://, into a folder this test reads).

The stack is started once for the module (the first master migrates, the second starts as a
replica does, with RUN_MIGRATIONS=0) and stopped at its end; the test database belongs to the
module and is read directly with psycopg. PostgreSQL only (on SQLite the tests are reported
as skipped); without redis-server the tests fail rather than skip (tests/servers.py).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, LiteralString, TypeVar

import attrs
import psycopg
import pytest

from adapters.platform.rest.problems import PROBLEM_TYPE_PREFIX
from tests.servers import (
    GENEROUS_THROTTLES,
    AppServer,
    CeleryProcess,
    RedisServer,
    Response,
    app_environment,
    isolated_database,
    register_and_login,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

THREADS = 12
PROBLEM = "application/problem+json"
PROBLEM_TYPE = PROBLEM_TYPE_PREFIX
# Payments: the account holds exactly AFFORDABLE invoices' worth; INVOICES are issued, and
# each is paid twice at once (once through each master).
AFFORDABLE = 5
INVOICES = 12
INVOICE_CENTS = 1_000
# The throttle under test: per email asking for a password reset. A per-day window, so that a
# burst of well under a second almost never straddles two windows (and is redone if it does).
RESET_EMAIL_LIMIT = 5
THROTTLED_REQUESTS = 4 * RESET_EMAIL_LIMIT
# Events: verification emails asked for by a few (unverified) accounts, many times each.
EVENTS = 1_000
EVENT_USERS = 4
REGISTERED = "identity.user_registered"
VERIFICATION_REQUESTED = "identity.verification_email_requested"
VERIFICATION_HANDLER = "identity.send_verification_email"
DELIVERY_TIMEOUT = 60.0
# Every email an outbox handler sends has the Message-ID <message id.handler.recipient digest@…>
# (adapters/platform/email.py); a header may be folded onto the next line.
MESSAGE_ID = re.compile(
    rb"^Message-ID:\s*<([0-9a-f-]{36})\.([\w.]+)\.([0-9a-f]{16})@[^>]*>", re.MULTILINE
)
ANY_MESSAGE_ID = re.compile(rb"^Message-ID:", re.MULTILINE | re.IGNORECASE)

T = TypeVar("T")


class NamedWorker(CeleryProcess):
    """``scripts/start worker`` with a node name of its own (two workers on one host), logging
    in a folder of its own."""

    def __init__(self, tmp_path: Path, env: Mapping[str, str], name: str) -> None:
        folder = tmp_path / name
        folder.mkdir()
        super().__init__(folder, env, "worker")
        self.name = name

    def arguments(self) -> list[str]:
        return [*super().arguments(), "--hostname", f"{self.name}@%h"]


@attrs.frozen
class Stack:
    apps: tuple[AppServer, AppServer]
    workers: tuple[NamedWorker, NamedWorker]
    beat: CeleryProcess
    database_url: str
    emails: Path

    def logs(self, limit: int = 4000) -> str:
        named = [
            *((f"app on {app.port}", app) for app in self.apps),
            *((worker.name, worker) for worker in self.workers),
            ("beat", self.beat),
        ]
        return "\n".join(f"--- {name}\n{process.output(limit)}" for name, process in named)

    def query(self, statement: LiteralString, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, connect_timeout=10) as connection:
            return connection.execute(statement, params).fetchall()

    def execute(self, statement: LiteralString, *params: Any) -> None:
        with psycopg.connect(self.database_url, connect_timeout=10) as connection:
            connection.execute(statement, params)  # committed when the block ends


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp_path = tmp_path_factory.mktemp("scale-out")
    emails = tmp_path / "emails"
    with contextlib.ExitStack() as started:
        redis = started.enter_context(RedisServer(tmp_path))
        # The pid: two runs on one PostgreSQL server never drop each other's database.
        database = started.enter_context(
            isolated_database(tmp_path, f"it_scale_out_test_{os.getpid()}")
        )
        env = app_environment(
            **GENEROUS_THROTTLES,
            **database,
            REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
            CELERY_BROKER_URL=f"redis://127.0.0.1:{redis.port}/1",
            CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
            CELERY_WORKER_CONCURRENCY="2",
            GUNICORN_WORKERS="2",
            # The one small rate, for a scope no other test here meets.
            THROTTLE_PASSWORD_RESET_EMAIL_RATE=f"{RESET_EMAIL_LIMIT}/day",
            THROTTLE_PASSWORD_RESET_RATE="100000/minute",
            THROTTLE_VERIFICATION_EMAIL_RATE="100000/minute",
            # Four slashes: django-environ drops the first of an absolute path's.
            EMAIL_URL=f"filemail:///{emails}",
            FRONTEND_URL="https://app.example.com",
        )
        first = started.enter_context(AppServer(tmp_path, env, name="app-a"))
        # A replica: the first one migrated the database and collected the static files.
        replica_env = {**env, "RUN_MIGRATIONS": "0", "RUN_COLLECTSTATIC": "0"}
        second = AppServer(tmp_path, replica_env, name="app-b")
        workers = (NamedWorker(tmp_path, env, "worker-a"), NamedWorker(tmp_path, env, "worker-b"))
        beat = CeleryProcess(tmp_path, env, "beat")
        rest: list[AppServer | CeleryProcess] = [second, *workers, beat]
        for process in rest:
            started.callback(process.stop)  # also when another one fails to start
        with ThreadPoolExecutor(len(rest)) as pool:
            list(pool.map(lambda process: process.start(), rest))
        built = Stack(
            apps=(first, second),
            workers=workers,
            beat=beat,
            database_url=database["DATABASE_URL"],
            emails=emails,
        )
        for app in built.apps:
            ready = app.request("GET", "/readyz")
            checks = ready.json().get("checks") if ready.status == 200 else None
            assert checks == {"database": "ok", "cache": "ok", "broker": "ok"}, (
                ready.body,
                built.logs(),
            )
        yield built


@pytest.fixture(scope="module")
def owner(stack: Stack) -> dict[str, str]:
    """The auth header of a staff user (who may issue invoices), who owns what they create."""
    email = "scale-owner@example.com"
    token = register_and_login(stack.apps[0], email)
    stack.execute("UPDATE identity_user SET is_staff = true WHERE email = %s", email)
    return {"Authorization": f"Token {token}"}


def concurrently(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run ``calls`` from THREADS threads at once; their results, in order."""
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda call: call(), calls))


def statuses(answers: Sequence[Response]) -> Counter[int]:
    return Counter(answer.status for answer in answers)


def problem_type(answer: Response) -> str | None:
    if answer.headers.get_content_type() != PROBLEM:
        return None
    body = answer.json()
    return str(body["type"]).removeprefix(PROBLEM_TYPE) if body["status"] == answer.status else None


def create_organization(server: AppServer, auth: Mapping[str, str], name: str) -> int:
    created = server.request("POST", "/api/v1/orgs", {"name": name}, auth)
    assert created.status == 201, created.body
    organization_id: int = created.json()["id"]
    return organization_id


def no_server_errors(stack: Stack) -> None:
    for app in stack.apps:
        log = app.output(limit=2_000_000)
        assert '"status": 5' not in log, stack.logs()


# --- balances -----------------------------------------------------------------------------


def test_concurrent_payments_through_both_masters_never_overdraw(
    stack: Stack, owner: dict[str, str]
) -> None:
    first, second = stack.apps
    organization_id = create_organization(first, owner, "Concurrent payers")
    base = f"/api/v1/orgs/{organization_id}"
    funded = second.request(
        "POST",
        f"{base}/account/credits",
        {"amount_cents": AFFORDABLE * INVOICE_CENTS},
        {**owner, "Idempotency-Key": f"fund-{uuid.uuid4()}"},
    )
    assert funded.status == 201, funded.body
    invoice = {"amount_cents": INVOICE_CENTS, "currency": "EUR", "due_date": "2030-01-31"}
    issued = concurrently(
        [
            functools.partial(stack.apps[n % 2].request, "POST", f"{base}/invoices", invoice, owner)
            for n in range(INVOICES)
        ]
    )
    assert statuses(issued) == {201: INVOICES}, ([a.body for a in issued], stack.logs())
    invoice_ids = [answer.json()["id"] for answer in issued]
    # Numbered by both masters at once: each number once.
    assert sorted(answer.json()["number"] for answer in issued) == list(range(1, INVOICES + 1))

    # Each invoice twice, through each master once, both attempts in flight together.
    attempts = [(invoice_id, app) for invoice_id in invoice_ids for app in stack.apps]
    started = time.monotonic()
    paid = concurrently(
        [
            functools.partial(
                app.request,
                "POST",
                f"{base}/invoices/{invoice_id}/pay",
                None,
                {**owner, "Idempotency-Key": f"pay-{uuid.uuid4()}"},
            )
            for invoice_id, app in attempts
        ]
    )
    took = time.monotonic() - started
    outcome = statuses(paid)
    refusals = Counter(problem_type(answer) for answer in paid if answer.status != 200)
    report = f"statuses {dict(outcome)}, refusals {dict(refusals)} in {took:.1f} s"

    # No 5xx: a lost race is a 409 the client can act on, never a server error.
    assert set(outcome) <= {200, 409}, f"{report}\n{stack.logs()}"
    assert outcome[200] == AFFORDABLE, f"{report}\n{stack.logs()}"
    assert set(refusals) <= {"insufficient-funds", "invoice-not-payable"}, report
    assert refusals["insufficient-funds"] >= 1, report
    paid_ids = [answer.json()["id"] for answer in paid if answer.status == 200]
    assert len(set(paid_ids)) == AFFORDABLE, paid_ids  # no invoice paid twice
    assert all(answer.json()["status"] == "paid" for answer in paid if answer.status == 200)

    for app in stack.apps:
        account = app.request("GET", f"{base}/account", None, owner)
        assert account.status == 200, account.body
        assert account.json() == {"balance_cents": 0, "currency": "EUR"}, report

    [(balance,)] = stack.query(
        "SELECT balance_cents FROM billing_account WHERE organization_id = %s", organization_id
    )
    ledger = stack.query(
        "SELECT amount_cents, kind, invoice_id FROM billing_ledgerentry"
        " WHERE account_id = %s ORDER BY id",
        organization_id,
    )
    credits = sum(amount for amount, kind, _ in ledger if kind == "credit")
    payments = [(amount, invoice_id) for amount, kind, invoice_id in ledger if kind != "credit"]
    # The balance is what the ledger says, and never went below zero on the way (entries are
    # appended under the account's row lock, so their order is the order of the changes).
    assert balance == credits + sum(amount for amount, _ in payments) == 0, ledger
    running = 0
    for amount, _, _ in ledger:
        running += amount
        assert running >= 0, ledger
    assert credits == AFFORDABLE * INVOICE_CENTS
    assert sorted(payments) == sorted((-INVOICE_CENTS, i) for i in paid_ids), ledger
    stored = dict(
        stack.query("SELECT id, status FROM billing_invoice WHERE account_id = %s", organization_id)
    )
    assert stored == {i: ("paid" if i in paid_ids else "open") for i in invoice_ids}
    no_server_errors(stack)


# --- throttles ----------------------------------------------------------------------------


def test_a_throttle_limit_holds_across_both_masters(stack: Stack) -> None:
    """THROTTLE_PASSWORD_RESET_EMAIL_RATE, per email whoever asks: the limit in total over
    both masters (four gunicorn workers), not per process."""
    for _ in range(2):
        email = f"throttled-{uuid.uuid4().hex}@example.com"  # no account: no email, no event
        window = int(time.time() // 86_400)
        answers = concurrently(
            [
                functools.partial(
                    stack.apps[n % 2].request,
                    "POST",
                    "/api/v1/auth/password-reset",
                    {"email": email},
                )
                for n in range(THROTTLED_REQUESTS)
            ]
        )
        if int(time.time() // 86_400) == window:
            break  # else the burst straddled midnight (UTC), two windows: once more
    else:
        pytest.fail("two bursts straddled a day's window")

    admitted = Counter(
        stack.apps[n % 2].port for n, answer in enumerate(answers) if answer.status == 202
    )
    report = f"statuses {dict(statuses(answers))}, admitted per port {dict(admitted)}"
    assert statuses(answers) == {
        202: RESET_EMAIL_LIMIT,
        429: THROTTLED_REQUESTS - RESET_EMAIL_LIMIT,
    }, f"{report}\n{stack.logs()}"
    for answer in answers:
        if answer.status == 429:
            assert problem_type(answer) == "throttled", answer.body
            retry_after = answer.headers.get("Retry-After")
            assert retry_after is not None, dict(answer.headers)
            assert 0 <= int(retry_after) <= 86_400
    no_server_errors(stack)


# --- idempotency --------------------------------------------------------------------------


def test_one_idempotency_key_through_both_masters_at_once_credits_once(
    stack: Stack, owner: dict[str, str]
) -> None:
    first, _ = stack.apps
    organization_id = create_organization(first, owner, "One credit")
    base = f"/api/v1/orgs/{organization_id}"
    headers = {**owner, "Idempotency-Key": f"credit-{uuid.uuid4()}"}
    answers = concurrently(
        [
            functools.partial(
                stack.apps[n % 2].request,
                "POST",
                f"{base}/account/credits",
                {"amount_cents": 700},
                headers,
            )
            for n in range(8)
        ]
    )
    report = f"statuses {dict(statuses(answers))}"
    assert statuses(answers) == {201: 8}, f"{report}\n{[a.body for a in answers]}\n{stack.logs()}"
    # One of them did the work; the others waited for it and replay its answer.
    assert len({str(answer.json()) for answer in answers}) == 1, [a.body for a in answers]
    replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
    assert replayed.count("true") == 7, replayed
    ledger = stack.query(
        "SELECT amount_cents FROM billing_ledgerentry WHERE account_id = %s", organization_id
    )
    assert ledger == [(700,)]
    account = stack.apps[1].request("GET", f"{base}/account", None, owner)
    assert account.json()["balance_cents"] == 700, account.body


# --- event delivery -----------------------------------------------------------------------


@attrs.frozen
class SentEmail:
    message_id: uuid.UUID
    handler: str
    recipient_digest: str


def sent_emails(folder: Path) -> tuple[list[SentEmail], int]:
    """The emails the file backend wrote (possibly several processes into one file), and how
    many Message-ID headers the files hold in all (any other shape included)."""
    found: list[SentEmail] = []
    headers = 0
    for path in sorted(folder.glob("*")) if folder.exists() else []:
        content = path.read_bytes()
        headers += len(ANY_MESSAGE_ID.findall(content))
        found += [
            SentEmail(uuid.UUID(match[1].decode()), match[2].decode(), match[3].decode())
            for match in MESSAGE_ID.finditer(content)
        ]
    return found, headers


def recipient_digest(email: str) -> str:
    return hashlib.sha256(email.casefold().encode()).hexdigest()[:16]


def test_events_recorded_through_both_masters_are_each_handled_exactly_once(
    stack: Stack,
) -> None:
    (outbox_before,) = stack.query("SELECT count(*) FROM outbox_outboxmessage")[0]
    addresses = [f"event-{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(EVENT_USERS)]
    tokens = concurrently(
        [
            functools.partial(register_and_login, stack.apps[n % 2], address)
            for n, address in enumerate(addresses)
        ]
    )
    users = dict(
        stack.query("SELECT id, email FROM identity_user WHERE email = ANY(%s)", addresses)
    )
    assert sorted(users.values()) == sorted(addresses)
    user_ids = list(users)

    # Each user's requests go through both masters.
    calls = [
        functools.partial(
            stack.apps[n % 2].request,
            "POST",
            "/api/v1/me/verification-email",
            None,
            {"Authorization": f"Token {tokens[(n // 2) % EVENT_USERS]}"},
        )
        for n in range(EVENTS)
    ]
    started = time.monotonic()
    answers = concurrently(calls)
    requests_took = time.monotonic() - started
    assert statuses(answers) == {202: EVENTS}, f"{dict(statuses(answers))}\n{stack.logs()}"

    def messages() -> list[tuple[Any, ...]]:
        return stack.query(
            "SELECT id, name, status, attempts, (payload->>'user_id')::bigint"
            " FROM outbox_outboxmessage"
            " WHERE (payload->>'user_id')::bigint = ANY(%s) AND name = ANY(%s)",
            user_ids,
            [REGISTERED, VERIFICATION_REQUESTED],
        )

    deadline = time.monotonic() + DELIVERY_TIMEOUT
    rows = messages()
    while time.monotonic() < deadline:
        by_status = Counter(status for _, _, status, _, _ in rows)
        if len(rows) == EVENTS + EVENT_USERS and by_status.keys() <= {"done", "failed"}:
            break
        time.sleep(0.5)
        rows = messages()
    delivered_in = time.monotonic() - started
    # Any delivery still running (a duplicate, say) ends before its effects are counted.
    time.sleep(1.0)
    rows = messages()
    (outbox_after,) = stack.query("SELECT count(*) FROM outbox_outboxmessage")[0]
    by_status = Counter(status for _, _, status, _, _ in rows)
    attempts = Counter(attempt for _, _, _, attempt, _ in rows)
    report = (
        f"{len(rows)} messages by status {dict(by_status)}, attempts {dict(attempts)}; "
        f"requests took {requests_took:.1f} s, delivery {delivered_in:.1f} s"
    )

    # Exactly one message per request (and one per registration), nothing else recorded.
    assert Counter(name for _, name, _, _, _ in rows) == {
        VERIFICATION_REQUESTED: EVENTS,
        REGISTERED: EVENT_USERS,
    }, report
    assert outbox_after - outbox_before == EVENTS + EVENT_USERS, report
    assert by_status == {"done": EVENTS + EVENT_USERS}, f"{report}\n{stack.logs()}"

    # One inbox row per (message, handler): the handler took effect once for each.
    message_ids = [message_id for message_id, *_ in rows]
    inbox = stack.query(
        "SELECT event_id, handler, count(*) FROM outbox_processedevent"
        " WHERE event_id = ANY(%s) GROUP BY event_id, handler",
        message_ids,
    )
    assert len(inbox) == len(message_ids), report
    assert {(event_id, handler) for event_id, handler, _ in inbox} == {
        (message_id, VERIFICATION_HANDLER) for message_id in message_ids
    }
    assert {count for _, _, count in inbox} == {1}

    # One email per message, to the account it is about.
    emails, headers = sent_emails(stack.emails)
    ours = [email for email in emails if email.message_id in set(message_ids)]
    sent = Counter(email.message_id for email in ours)
    twice = [message_id for message_id, times in sent.items() if times > 1]
    missing = set(message_ids) - set(sent)
    email_report = (
        f"{len(ours)} emails for these messages ({len(emails)} in all, {headers} Message-ID "
        f"headers); {len(twice)} sent more than once (e.g. {twice[:3]}), {len(missing)} never "
        f"(e.g. {sorted(missing, key=str)[:3]}); {report}"
    )
    assert not twice, email_report
    assert not missing, f"{email_report}\n{stack.logs()}"
    assert len(ours) == EVENTS + EVENT_USERS, email_report
    assert headers == len(emails), email_report  # every email has an outbox Message-ID
    recipients = {message_id: users[user_id] for message_id, _, _, _, user_id in rows}
    assert all(email.handler == VERIFICATION_HANDLER for email in ours)
    assert all(
        email.recipient_digest == recipient_digest(recipients[email.message_id]) for email in ours
    )
    no_server_errors(stack)


# --- revocation ---------------------------------------------------------------------------


def test_a_revoked_token_is_refused_on_the_next_request_through_any_master(stack: Stack) -> None:
    """No process keeps a token it checked once: logging out through one master, the very next
    request through the other (or any of the four gunicorn workers) is a 401."""
    first, second = stack.apps
    token = register_and_login(first, f"revoked-{uuid.uuid4().hex[:8]}@example.com")
    auth = {"Authorization": f"Token {token}"}
    # Every worker has just served the token, so any caching of it would show below.
    warm = concurrently(
        [functools.partial(app.request, "GET", "/api/v1/me", None, auth) for app in stack.apps * 8]
    )
    assert statuses(warm) == {200: 16}

    assert second.request("POST", "/api/v1/auth/logout", None, auth).status == 204

    after = concurrently(
        [functools.partial(app.request, "GET", "/api/v1/me", None, auth) for app in stack.apps * 8]
    )
    assert statuses(after) == {401: 16}, [answer.body for answer in after]
    assert all(problem_type(answer) == "not-authenticated" for answer in after)
