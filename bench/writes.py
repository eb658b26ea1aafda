"""Benchmark the app's money-moving writes under contention against plain DRF.

    python -m bench.writes [--database postgres|sqlite] [--rounds 3] [--duration 5]
                           [--connections 16] [--threads 2] [--invoices 30000]
                           [--broker private|none] [--show-queries] [--profile N] [--sessions]

Creates a database of its own (PostgreSQL by default: a new database on the local
postgres://postgres@127.0.0.1:5432, dropped at the end; SQLite: a file in bench/results, deleted
at the end), seeds one user who owns one organization per endpoint — each pay endpoint's with
``--invoices`` open invoices and the balance to pay them all — serves the project as
bench/run.py does (gunicorn, 2 sync workers, production settings plus bench/settings.py, which
raises the throttles; 127.0.0.1 only) with a broker as production has one (``--broker
private``, the default: a redis-server of the run's own, so that pay's ``invoice_paid`` event is
published as a task, which nothing consumes; ``--broker none``: delivered in the request, as
with ``make run``), and loads it with wrk, ``-t2 -c16``: 16 clients writing to
one account row, on whose lock they queue. The endpoints are interleaved round by round, so
that noise on the machine hits all of them alike:

  credits (a)   the app  POST /api/v1/orgs/{id}/account/credits   {"amount_cents": 100}
          (b)   plain DRF  POST /bench/drf/orgs/{id}/account/credits
          (b+)  DRF + key  POST /bench/drf-keyed/orgs/{id}/account/credits
  pay     (a')  the app  POST /api/v1/orgs/{id}/invoices/{invoice_id}/pay
          (b)   plain DRF  POST /bench/drf/orgs/{id}/invoices/{invoice_id}/pay
          (b+)  DRF + key  POST /bench/drf-keyed/orgs/{id}/invoices/{invoice_id}/pay

Every request carries a fresh Idempotency-Key and every pay pays the next open invoice, once
(bench/writes.lua). The references are bench/writes_reference.py: (b) does the business change
only (lock the account row, update the balance, insert the ledger entry; for pay also lock and
update the invoice, and queue the receipt email after the commit, as a plain Celery task where
the app records an outbox event), (b+) adds Idempotency-Key handling written the usual way.

Printed per endpoint: req/s, p50 and p99 latency (medians of the rounds), the gunicorn workers'
CPU per request (from /proc), queries per request (counted in-process; ``--show-queries`` lists
them), and the totals of 2xx, non-2xx and 5xx responses (counted by the Lua script), with ratios
against (b) and (b+); then the targets — no 5xx, throughput >= 1.0x (b), p99 <= 1.5x (b) — and
invariants checked in the database afterwards: every balance is the sum of its ledger, no
invoice is paid twice, and the requests the server completed left exactly one ledger entry each
(the 2xx wrk saw, plus the requests in flight when wrk stopped: the server completes those
unseen). Every server it starts is stopped before it returns; a run takes about two minutes.

For finding where the time goes: ``--show-queries`` lists each endpoint's queries, ``--profile
N`` times N requests of each in-process, one after another (wall time, and the part spent in
SQL statements), ``--sessions`` samples PostgreSQL's pg_stat_activity every 10 ms during the
measured runs (how many sessions run a statement, wait for a lock, flush WAL, or sit idle in a
transaction while the app works: the account row stays locked meanwhile).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import run

if TYPE_CHECKING:
    from django.db.models import Model

LUA_SCRIPT = Path(__file__).with_name("writes.lua")
LABELS = {"app": "the app", "drf": "plain DRF", "drf-keyed": "DRF + key"}
PREFIXES = {"app": "/api/v1", "drf": "/bench/drf", "drf-keyed": "/bench/drf-keyed"}
KEYED = frozenset({"app", "drf-keyed"})
CREDIT_CENTS = 100  # what writes.lua credits per request
PROBE_REQUESTS = 2  # per endpoint, in-process: one to warm up, one whose queries are counted
_LUA_LINE = re.compile(r"^writes\.lua: (\{.*\})$", re.MULTILINE)
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")


def billing_model(name: str) -> type[Model]:
    """One of billing's models, looked up by label, not imported (bench/reference.py says why)."""
    model: type[Model] = getattr(import_module("adapters.billing.models"), name)
    return model


@dataclass
class WrkRun:
    """One wrk run of one endpoint, as writes.lua counted it."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    sent: int
    answered: int
    beyond: int  # pay: requests past the last seeded invoice
    statuses: Counter[int]
    socket_errors: Counter[str]

    @property
    def in_flight(self) -> int:
        """Requests sent but not answered when wrk stopped (the server completes them)."""
        return self.sent - self.answered


@dataclass
class WriteEndpoint(run.Endpoint):
    operation: str = "credits"  # or "pay"
    implementation: str = "app"  # or "drf", "drf-keyed"
    organization_id: int = 0
    seeded_entries: int = 0
    next_invoice: int = 0  # pay: the first invoice the next run pays
    last_invoice: int = 0
    runs: list[WrkRun] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)  # what one request sent, as Django logged it
    sessions: Counter[str] = field(default_factory=Counter)  # --sessions: see sessions_sampled

    def total(self, status_class: int) -> int:
        return sum(n for r in self.runs for s, n in r.statuses.items() if s // 100 == status_class)

    @property
    def non_2xx(self) -> int:
        return sum(sum(r.statuses.values()) for r in self.runs) - self.total(2)

    @property
    def in_flight(self) -> int:
        return sum(r.in_flight for r in self.runs)


def write_path(implementation: str, operation: str, organization_id: int, invoice: str) -> str:
    base = f"{PREFIXES[implementation]}/orgs/{organization_id}"
    return f"{base}/account/credits" if operation == "credits" else f"{base}/invoices/{invoice}/pay"


# --- database and data -------------------------------------------------------------------------


@contextmanager
def private_broker(env: dict[str, str], broker: str) -> Iterator[None]:
    """``--broker private``: a redis-server of this run's own as CELERY_BROKER_URL, as
    production has a broker: a write that records an outbox event publishes a task (no worker
    consumes it; the server and its queue go when the run ends). ``--broker none``: the
    events are delivered in the committing request, as with ``make run``."""
    if broker == "none":
        env.pop("CELERY_BROKER_URL", None)
        yield
        return
    from tests.servers import RedisServer

    with tempfile.TemporaryDirectory() as folder, RedisServer(Path(folder)) as redis:
        env["CELERY_BROKER_URL"] = redis.url
        yield


@contextmanager
def bench_database(database: str, broker: str) -> Iterator[dict[str, str]]:
    """A fresh database of this run's own, dropped afterwards, and the broker ``--broker``
    asks for; yields the server environment."""
    env = run.server_environment(database)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"app_bench_writes_{secrets.token_hex(4)}"
    if database == "postgres":
        import psycopg

        env["DATABASE_URL"] = run.POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        with psycopg.connect(run.POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
    else:
        env["SQLITE_PATH"] = str(run.RESULTS / f"{name}.sqlite3")
    try:
        with private_broker(env, broker):
            yield env
    finally:
        from django.db import connections

        connections.close_all()
        if database == "postgres":
            with psycopg.connect(run.POSTGRES_ADMIN_URL, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{env['SQLITE_PATH']}{suffix}").unlink(missing_ok=True)


def seed(endpoints: list[WriteEndpoint], invoices: int, probes: int) -> tuple[str, int]:
    """One owner; an organization per endpoint and one for the in-process probes. Each pay
    organization gets ``invoices`` open invoices and, as one credit, the balance to pay all of
    them; the probe organization gets enough for ``probes`` in-process requests per pay endpoint.
    Returns the owner's token and the probe organization's id."""
    from django.db import transaction
    from knox.models import AuthToken

    from adapters.identity.models import User

    with transaction.atomic():
        user = User.objects.create_user("writes@example.com", secrets.token_urlsafe(16))
        _, token = AuthToken.objects.create(user=user, expiry=None)
        probe = open_organization(user.pk, "Probe", invoices=3 * probes)
        for endpoint in endpoints:
            name = f"{endpoint.operation} {endpoint.implementation}"
            count = invoices if endpoint.operation == "pay" else 0
            endpoint.organization_id = open_organization(user.pk, name, invoices=count)
            endpoint.seeded_entries = 1 if count else 0
            endpoint.next_invoice, endpoint.last_invoice = invoice_range(endpoint.organization_id)
    return str(token), probe


def open_organization(user_id: int, name: str, *, invoices: int) -> int:
    from django.db import connection
    from django.utils import timezone

    from adapters.organizations.models import Membership, Organization

    organization = Organization.objects.create(name=name)
    Membership.objects.create(organization=organization, user_id=user_id, role="owner")
    billing_model("Account")._default_manager.create(
        organization_id=organization.pk, currency="EUR", invoice_sequence=invoices
    )
    if not invoices:
        return int(organization.pk)
    issued_at = connection.ops.adapt_datetimefield_value(datetime(2026, 1, 1, tzinfo=UTC))
    with connection.cursor() as cursor:
        # A recursive CTE: one statement for both databases (%% is % on both, through Django).
        cursor.execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)
            INSERT INTO billing_invoice (account_id, number, amount_cents, currency, status,
                                         due_date, description, issued_at, paid_at)
            SELECT %s, i, 100 + i %% 900, 'EUR', 'open', %s, '', %s, NULL FROM n
            """,
            [invoices, organization.pk, "2026-12-31", issued_at],
        )
        cursor.execute(
            "SELECT SUM(amount_cents) FROM billing_invoice WHERE account_id = %s",
            [organization.pk],
        )
        (total,) = cursor.fetchone() or (0,)
    billing_model("Account")._default_manager.filter(organization_id=organization.pk).update(
        balance_cents=total
    )
    billing_model("LedgerEntry")._default_manager.create(
        account_id=organization.pk,
        amount_cents=total,
        kind="credit",
        actor_id=user_id,
        created_at=timezone.now(),
    )
    return int(organization.pk)


def invoice_range(organization_id: int) -> tuple[int, int]:
    """(the first open invoice after the last paid one, the last invoice) of the organization."""
    from django.db.models import Max, Min

    invoices = billing_model("Invoice")._default_manager.filter(account_id=organization_id)
    bounds = invoices.aggregate(first=Min("id"), last=Max("id"))
    paid = invoices.filter(status="paid").aggregate(last=Max("id"))["last"]
    first = bounds["first"] if paid is None else paid + 1
    return int(first or 0), int(bounds["last"] or 0)


def entry_count(organization_id: int) -> int:
    entries = billing_model("LedgerEntry")._default_manager.filter(account_id=organization_id)
    return int(entries.count())


def open_invoices(organization_id: int, count: int) -> list[int]:
    invoices = billing_model("Invoice")._default_manager.filter(
        account_id=organization_id, status="open"
    )
    return [int(i) for i in invoices.order_by("id").values_list("id", flat=True)[:count]]


def probe_post(endpoint: WriteEndpoint, client: Any, organization_id: int, invoice: int) -> None:
    """One write of ``endpoint``'s kind, in-process (``invoice`` is ignored by credits)."""
    path = write_path(endpoint.implementation, endpoint.operation, organization_id, str(invoice))
    body = {"amount_cents": CREDIT_CENTS} if endpoint.operation == "credits" else None
    headers = {"Idempotency-Key": f"probe-{secrets.token_hex(8)}"}
    response = client.post(path, body, content_type="application/json", headers=headers)
    if response.status_code not in (200, 201):
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")


def probe_queries(endpoint: WriteEndpoint, token: str, probe_organization: int) -> None:
    """Count the queries of one request in-process (CaptureQueriesContext; Django lists BEGIN,
    COMMIT and savepoints too), against the probe organization, after a first request has
    warmed up — as bench/run.py's count_queries does for GETs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    warm_up, counted = open_invoices(probe_organization, PROBE_REQUESTS) or [0, 0]
    probe_post(endpoint, client, probe_organization, warm_up)
    with CaptureQueriesContext(connection) as captured:
        probe_post(endpoint, client, probe_organization, counted)
    endpoint.queries = len(captured.captured_queries)
    endpoint.sql = [query["sql"] for query in captured.captured_queries]


def profile(endpoint: WriteEndpoint, token: str, probe_organization: int, requests: int) -> str:
    """In-process, one request after another (no contention): wall time per request and the
    part of it spent in the statements Django sends (savepoints included; BEGIN and COMMIT
    are not statements, and are in the rest). Returns a line of the profile table."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    invoices = open_invoices(probe_organization, requests) or [0] * requests
    spent = [0.0, 0]  # seconds in statements, statements

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - start
            spent[1] += 1

    with connection.execute_wrapper(timed):
        start = time.perf_counter()
        for invoice in invoices:
            probe_post(endpoint, client, probe_organization, invoice)
        wall = time.perf_counter() - start
    per = 1000 / requests
    return (
        f"{endpoint.operation + ' ' + endpoint.label:<20}{wall * per:>9.2f}"
        f"{spent[1] / requests:>11.0f}{spent[0] * per:>15.2f}{(wall - spent[0]) * per:>10.2f}"
    )


# --- load --------------------------------------------------------------------------------------


def wrk(
    base: str, endpoint: WriteEndpoint, token: str, duration: int, args: argparse.Namespace
) -> WrkRun:
    """bench/run.py's wrk(), with threads, writes.lua and its arguments, and errors counted
    rather than fatal."""
    invoice = "%d" if endpoint.operation == "pay" else ""
    path = write_path(
        endpoint.implementation, endpoint.operation, endpoint.organization_id, invoice
    )
    command = [
        "wrk", "--latency", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s",
        "--timeout", "10s", "-H", f"Authorization: Token {token}", "-s", str(LUA_SCRIPT), base,
        "--", endpoint.operation, path, secrets.token_hex(8),
        str(endpoint.next_invoice), str(endpoint.last_invoice), str(args.threads),
    ]  # fmt: skip
    done = subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=duration + 30
    )
    found = _LUA_LINE.search(done.stdout)
    rate = _RATE.search(done.stdout)
    if done.returncode != 0 or found is None or rate is None:
        raise SystemExit(f"wrk failed on {path}:\n{done.stdout}\n{done.stderr}")
    # wrk's own latency distribution, parsed as bench/run.py parses it.
    latency = {m[0]: float(m[1]) * run._SCALE[m[2]] for m in run._LATENCY.findall(done.stdout)}
    counted = json.loads(found.group(1))
    return WrkRun(
        requests_per_second=float(rate.group(1)),
        p50_ms=latency["50"],
        p99_ms=latency["99"],
        sent=counted["sent"],
        answered=counted["answered"],
        beyond=counted["beyond"],
        statuses=Counter({int(status): n for status, n in counted["statuses"].items()}),
        socket_errors=Counter(counted["socket_errors"]),
    )


WAITS_SQL = """
    SELECT state, wait_event_type, wait_event FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
"""


@contextmanager
def sessions_sampled(url: str | None, counts: Counter[str]) -> Iterator[None]:
    """Add to ``counts`` what the database's busy sessions are doing, every 10 ms while the
    block runs (PostgreSQL's pg_stat_activity; nothing without ``url``). ``counts["samples"]``
    is the number of samples taken."""
    if url is None:
        yield
        return
    import psycopg

    stop = threading.Event()

    def sample() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            while not stop.wait(0.01):
                rows = connection.execute(WAITS_SQL).fetchall()
                counts["samples"] += 1
                counts.update(_session(*row) for row in rows)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        stop.set()
        sampler.join(timeout=5)


def _session(state: str, kind: str | None, event: str | None) -> str:
    if state.startswith("idle in transaction"):
        return "in a transaction, waiting for the app"
    if kind is None:
        return "running a statement"
    if kind == "Lock":
        return f"waiting for a lock ({event})"
    return f"{kind}/{event}"


def settle(endpoint: WriteEndpoint) -> None:
    """Wait for the server to finish the requests wrk left in flight, then move the pay
    endpoint's invoice range past what was paid."""
    previous, deadline = -1, time.monotonic() + 10
    while (current := entry_count(endpoint.organization_id)) != previous:
        if time.monotonic() > deadline:
            raise SystemExit(f"{endpoint.label}: the server is still writing 10 s after wrk ended")
        previous = current
        time.sleep(0.3)
    if endpoint.operation == "pay":
        endpoint.next_invoice, endpoint.last_invoice = invoice_range(endpoint.organization_id)


def measure(
    endpoints: list[WriteEndpoint],
    base: str,
    token: str,
    server_pid: int,
    args: argparse.Namespace,
    *,
    sessions_url: str | None,
) -> None:
    for endpoint in endpoints:  # warm-up: imports, connections, caches (counted like the rest)
        endpoint.runs.append(wrk(base, endpoint, token, 1, args))
        settle(endpoint)
    for _ in range(args.rounds):
        for endpoint in endpoints:
            before = run.worker_cpu_ticks(server_pid)
            with sessions_sampled(sessions_url, endpoint.sessions):
                result = wrk(base, endpoint, token, args.duration, args)
            settle(endpoint)  # the requests in flight cost CPU too, and are divided by below
            cpu_seconds = (run.worker_cpu_ticks(server_pid) - before) / run.TICKS
            endpoint.runs.append(result)
            endpoint.samples.append(
                run.Sample(
                    result.requests_per_second,
                    result.p50_ms,
                    result.p99_ms,
                    cpu_seconds / max(result.sent, 1) * 1e6,
                )
            )


# --- invariants and report ---------------------------------------------------------------------


def verify(
    endpoints: list[WriteEndpoint], probe_organization: int, probes: int
) -> list[tuple[str, bool]]:
    """What the database must show after the run, as (description, held) pairs."""
    from django.db.models import Count, F, Sum

    from adapters.platform.idempotency.models import IdempotencyRecord

    account, invoice, entry = (billing_model(n) for n in ("Account", "Invoice", "LedgerEntry"))
    checks: list[tuple[str, bool]] = []
    keyed_writes = probes * sum(e.implementation in KEYED for e in endpoints)
    for organization_id, name in [
        *((e.organization_id, f"{e.operation} {e.label}") for e in endpoints),
        (probe_organization, "probes"),
    ]:
        entries = entry._default_manager.filter(account_id=organization_id)
        total = entries.aggregate(sum=Sum("amount_cents"))["sum"] or 0
        accounts = account._default_manager.filter(organization_id=organization_id)
        balance = accounts.values_list("balance_cents", flat=True).get()
        checks.append((f"{name}: balance {balance} = sum of its ledger {total}", balance == total))
        payments = entries.filter(kind="invoice_payment")
        paid = invoice._default_manager.filter(account_id=organization_id, status="paid").count()
        twice = payments.values("invoice_id").annotate(n=Count("id")).filter(n__gt=1).count()
        wrong = payments.exclude(amount_cents=-F("invoice__amount_cents")).count()
        if paid or payments.exists():
            checks.append(
                (
                    f"{name}: {paid} paid invoices, {payments.count()} payments, {twice} invoices "
                    f"paid twice, {wrong} payments of another amount than their invoice's",
                    paid == payments.count() and twice == 0 and wrong == 0,
                )
            )
    for endpoint in endpoints:
        written = entry_count(endpoint.organization_id) - endpoint.seeded_entries
        seen, in_flight = endpoint.total(2), endpoint.in_flight
        if endpoint.implementation in KEYED:
            keyed_writes += written
        checks.append(
            (
                f"{endpoint.operation} {endpoint.label}: {written} ledger entries = {seen} 2xx "
                f"seen by wrk + {in_flight} in flight when wrk stopped",
                written == seen + in_flight,
            )
        )
    from adapters.platform.outbox.models import OutboxMessage

    checks.append(
        (
            f"(for information) outbox messages recorded: {OutboxMessage.objects.count()}, "
            f"by name {dict(Counter(OutboxMessage.objects.values_list('name', flat=True)))}",
            True,
        )
    )
    records = IdempotencyRecord.objects.count()
    unfinished = IdempotencyRecord.objects.filter(status_code=0).count()
    checks.append(
        (
            f"idempotency records {records} = writes through a keyed endpoint {keyed_writes}, "
            f"{unfinished} without a response",
            records == keyed_writes and unfinished == 0,
        )
    )
    return checks


def report(
    endpoints: list[WriteEndpoint],
    checks: list[tuple[str, bool]],
    profiled: list[str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    lines = [
        f"Money-moving writes, {args.database}, broker {args.broker}, gunicorn 2 sync workers, "
        f"wrk -t{args.threads} "
        f"-c{args.connections}, {args.rounds} interleaved rounds of {args.duration}s "
        f"(medians; response counts are totals, warm-up included)",
        "",
        f"{'endpoint':<20}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'CPU us/req':>11}{'queries':>8}"
        f"{'2xx':>7}{'non-2xx':>8}{'5xx':>5}{'req/s vs (b)':>13}{'p99 vs (b)':>11}"
        f"{'req/s vs (b+)':>14}{'p99 vs (b+)':>12}",
    ]
    ratios: dict[str, dict[str, float]] = {}
    for endpoint in endpoints:
        drf, keyed = (reference(endpoints, endpoint.operation, i) for i in ("drf", "drf-keyed"))
        rate, p99 = endpoint.median("requests_per_second"), endpoint.median("p99_ms")
        ratios[endpoint.path] = {
            "throughput_vs_drf": rate / drf.median("requests_per_second"),
            "p99_vs_drf": p99 / drf.median("p99_ms"),
            "throughput_vs_drf_keyed": rate / keyed.median("requests_per_second"),
            "p99_vs_drf_keyed": p99 / keyed.median("p99_ms"),
        }
        r = ratios[endpoint.path]
        lines.append(
            f"{endpoint.operation + ' ' + endpoint.label:<20}{rate:>7.0f}"
            f"{endpoint.median('p50_ms'):>8.2f}{p99:>8.2f}"
            f"{endpoint.median('cpu_us_per_request'):>11.0f}{endpoint.queries:>8}"
            f"{endpoint.total(2):>7}{endpoint.non_2xx:>8}{endpoint.total(5):>5}"
            f"{r['throughput_vs_drf']:>12.2f}x{r['p99_vs_drf']:>10.2f}x"
            f"{r['throughput_vs_drf_keyed']:>13.2f}x{r['p99_vs_drf_keyed']:>11.2f}x"
        )
    oddities = []
    for e in endpoints:
        statuses = sum((r.statuses for r in e.runs), Counter[int]())
        errors = +sum((r.socket_errors for r in e.runs), Counter[str]())
        beyond = sum(r.beyond for r in e.runs)
        if set(statuses) - {200, 201} or errors or beyond:
            oddities.append(
                f"{e.operation} {e.label}: statuses {dict(sorted(statuses.items()))}, socket "
                f"errors {dict(errors)}, {beyond} requests past the last invoice"
            )
    lines += ["", *oddities] if oddities else []
    lines += ["", "targets for the app (against (b); against (b+) in brackets):"]
    for endpoint in endpoints:
        if endpoint.implementation != "app":
            continue
        r, server_errors = ratios[endpoint.path], endpoint.total(5)
        lines.append(
            f"  {endpoint.operation:<8} 5xx {server_errors} {run._verdict(server_errors == 0)}"
            f"   throughput >= 1.0x: {r['throughput_vs_drf']:.2f}x "
            f"{run._verdict(r['throughput_vs_drf'] >= 1.0)} ({r['throughput_vs_drf_keyed']:.2f}x)"
            f"   p99 <= 1.5x: {r['p99_vs_drf']:.2f}x {run._verdict(r['p99_vs_drf'] <= 1.5)} "
            f"({r['p99_vs_drf_keyed']:.2f}x)"
        )
        drf = reference(endpoints, endpoint.operation, "drf")
        per_round = [
            f"{mine.requests_per_second / theirs.requests_per_second:.2f}"
            for mine, theirs in zip(endpoint.samples, drf.samples, strict=True)
        ]
        lines.append(f"           throughput vs (b) round by round: {' '.join(per_round)}")
    lines += ["", "invariants:"]
    lines += [f"  {'OK    ' if held else 'FAILED'} {text}" for text, held in checks]
    if profiled:
        lines += [
            "",
            f"in-process, {args.profile} requests one after another (ms per request):",
            f"{'endpoint':<20}{'wall':>9}{'statements':>11}{'in statements':>15}{'the rest':>10}",
            *profiled,
        ]
    if any(e.sessions for e in endpoints):
        lines += ["", "database sessions during the measured runs (mean number, every 10 ms):"]
        for endpoint in endpoints:
            samples = max(endpoint.sessions["samples"], 1)
            states = [
                (k, n / samples) for k, n in endpoint.sessions.most_common() if k != "samples"
            ]
            lines.append(
                f"  {endpoint.operation + ' ' + endpoint.label:<20}"
                + ", ".join(f"{state} {mean:.2f}" for state, mean in states if mean >= 0.01)
            )
    if args.show_queries:
        for endpoint in endpoints:
            lines += ["", f"queries of one {endpoint.operation} request, {endpoint.label}:"]
            lines += [f"  {sql[:150]}" for sql in endpoint.sql]
    print("\n".join(lines))
    return {
        "database": args.database,
        "broker": args.broker,
        "connections": args.connections,
        "endpoints": {
            f"{e.operation} {e.label}": {
                "path": e.path,
                "requests_per_second": e.median("requests_per_second"),
                "p50_ms": e.median("p50_ms"),
                "p99_ms": e.median("p99_ms"),
                "cpu_us_per_request": e.median("cpu_us_per_request"),
                "queries": e.queries,
                "responses_2xx": e.total(2),
                "non_2xx": e.non_2xx,
                "responses_5xx": e.total(5),
                **ratios[e.path],
            }
            for e in endpoints
        },
        "invariants": dict(checks),
    }


def reference(endpoints: list[WriteEndpoint], operation: str, implementation: str) -> WriteEndpoint:
    return next(
        e for e in endpoints if e.operation == operation and e.implementation == implementation
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--invoices", type=int, default=30_000, help="per pay endpoint")
    parser.add_argument(
        "--broker",
        choices=["private", "none"],
        default="private",
        help="where outbox events go: a redis-server of the run's own, or in-process delivery",
    )
    parser.add_argument("--show-queries", action="store_true", help="list each one's queries")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="time N requests each in-process"
    )
    parser.add_argument(
        "--sessions", action="store_true", help="sample the sessions' waits (PostgreSQL)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian's package)")
    if not (run.ROOT / "adapters" / "billing").is_dir():
        raise SystemExit("the write-path bench measures billing's account writes: billing is gone")
    endpoints = [
        WriteEndpoint(
            LABELS[implementation], "", operation=operation, implementation=implementation
        )
        for operation in ("credits", "pay")
        for implementation in ("app", "drf", "drf-keyed")
    ]
    probes = PROBE_REQUESTS + args.profile
    with bench_database(args.database, args.broker) as env:
        run.manage(env, "migrate", "--no-input", "-v0")
        run.django_setup(env)
        from django.db import connections

        token, probe_organization = seed(endpoints, args.invoices, probes)
        for endpoint in endpoints:
            endpoint.path = write_path(
                endpoint.implementation, endpoint.operation, endpoint.organization_id, "{id}"
            )
            probe_queries(endpoint, token, probe_organization)
        profiled = [
            profile(endpoint, token, probe_organization, args.profile)
            for endpoint in (endpoints if args.profile else [])
        ]
        connections.close_all()
        port = run.free_port()
        sampled = env.get("DATABASE_URL") if args.sessions else None
        with run.gunicorn(env, port) as server:
            measure(
                endpoints, f"http://127.0.0.1:{port}", token, server.pid, args, sessions_url=sampled
            )
        checks = verify(endpoints, probe_organization, probes)
        result = report(endpoints, checks, profiled, args)
    (run.RESULTS / f"writes-{args.database}.json").write_text(json.dumps(result, indent=2))
    if not all(held for _, held in checks):
        raise SystemExit("invariants failed")


if __name__ == "__main__":
    main()
