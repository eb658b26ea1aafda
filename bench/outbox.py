"""Benchmark the transactional outbox on Celery/Redis against plain Celery ``delay_on_commit``.

    python -m bench.outbox [--database sqlite|postgres] [--events 2000] [--rate 200]
                           [--seconds 5] [--rounds 3] [--keep] [--json FILE]

Starts a redis-server of its own (127.0.0.1, a free port), a new database (a SQLite file in a
temporary folder, or with ``--database postgres`` a database created on
postgres://postgres@127.0.0.1:5432 and dropped afterwards), migrates it, and starts one Celery
worker per side (``scripts/start worker`` with the production settings and
CELERY_WORKER_CONCURRENCY=1: one pool process, prefetch 1, late acknowledgement, a new pool
process every 1000 tasks, INFO logs, as deployed), each on a queue of its own:

  (a) outbox        ``with DjangoUnitOfWork() as uow: uow.outbox.record(Ping(...)); uow.commit()``:
                    the row is committed, the relay queues an ``outbox.drain`` on commit unless
                    one is queued, and the worker's drain delivers every pending row through
                    the inbox to a handler (bench/outbox_app); its "task ms" is a drain's
  (b) plain Celery  ``with transaction.atomic(): plain_ping.delay_on_commit(...)``: a
                    ``@shared_task`` doing the same trivial work

Both handlers only note when they started (one line appended to a file). Two measurements,
interleaved round by round (a, b, a, b, ...) so that noise on the machine hits both alike:

  drain    ``--events`` events enqueued as fast as possible while the worker does not consume
           (Celery's cancel_consumer), then consumed again: handled per second, from the first
           handler's start to the last's. Also: the enqueue rate; the median task run time the
           worker logs (the rest of a cycle, 1000/drain - task ms, is Celery's); CPU time per
           event of the worker (all its processes, /proc) and of the committing process.
  latency  ``--rate`` events a second for ``--seconds`` seconds (open loop), the worker
           consuming: p50 and p99 from the commit (the clock read right after the atomic block
           exits, so after the on-commit publish) to the handler's start, one machine clock.
           Also: the rate actually handled (below the offered one, the worker fell behind and
           the latency is a growing queue), the median task run time meanwhile, the median
           time the committing process spends in its on-commit work (the publish), and the
           longest pause between two handler starts (a pool process being replaced).

It prints the medians of the rounds, the ratios (a)/(b), and whether the targets hold: drain
>= 0.8x the baseline, p99 commit->handler <= 250 ms at 200 events/s. A missed target is
reported, not an error: the exit code is non-zero only when the benchmark itself failed.
Every process it starts is stopped before it returns (process groups); each wait is bounded,
and no round starts that would end after ``--budget`` seconds (the last round's length).

Environment variables reach the workers (scripts/start reads CELERY_WORKER_MAX_TASKS_PER_CHILD,
for one); ``--settings`` names a settings module of the caller's (on PYTHONPATH, importing
bench.outbox_app.settings) to try a configuration without editing the project.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from tests.servers import REPO_ROOT, CeleryProcess, RedisServer, app_environment, manage

SETTINGS = "bench.outbox_app.settings"
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "bench_outbox"
DEFAULT_QUEUE = "celery"  # where the outbox's tasks go (outbox.drain, outbox.deliver)
DELIVERY_TIMEOUT = 90.0  # the most any batch may take to be handled, once enqueued
CONTROL_TIMEOUT = 5.0
WARM_UP_EVENTS = 100
TARGET_DRAIN_RATIO = 0.8
TARGET_P99_MS = 250.0
TARGET_RATE = 200
TICKS = os.sysconf("SC_CLK_TCK")
_SUCCEEDED = re.compile(rb"succeeded in ([0-9.eE+-]+)s")

# (commit time, time the atomic block was left): the on-commit callbacks run in between.
Enqueue = Callable[[str], tuple[float, float]]


class BenchFailed(RuntimeError):
    """The benchmark could not measure (a process died, events went missing)."""


# --- the two sides -------------------------------------------------------------------------


def enqueue_outbox(key: str) -> tuple[float, float]:
    """Side (a): one event through a committed unit of work (published on commit)."""
    from django.db import transaction

    from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
    from bench.outbox_app.events import Ping

    committed: list[float] = []
    with DjangoUnitOfWork() as uow:
        # Registered first, so it runs first: the moment of the commit, before the publish.
        transaction.on_commit(lambda: committed.append(time.time()))
        uow.outbox.record(Ping(key=key))
        uow.commit()
    left = time.time()
    return committed[0], left


def enqueue_plain(key: str) -> tuple[float, float]:
    """Side (b): one plain Celery task sent on commit."""
    from django.db import transaction

    from bench.outbox_app.tasks import plain_ping

    committed: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: committed.append(time.time()))
        plain_ping.delay_on_commit(key)
    left = time.time()
    return committed[0], left


class Receipts:
    """The handlers' notes of one side (``key time`` lines), read as they are appended."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.times: dict[str, float] = {}

    def poll(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as file:
            file.seek(self.offset)
            data = file.read()
        complete = data.rfind(b"\n") + 1
        self.offset += complete
        for line in data[:complete].decode().splitlines():
            key, stamp = line.split()
            self.times.setdefault(key, float(stamp))  # a redelivery keeps the first start

    def wait_for(self, keys: list[str], worker: Worker) -> dict[str, float]:
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while True:
            self.poll()
            missing = [key for key in keys if key not in self.times]
            if not missing:
                return {key: self.times[key] for key in keys}
            worker.ensure_running()
            if time.monotonic() > deadline:
                raise BenchFailed(
                    f"{len(missing)} of {len(keys)} events not handled by the {worker.side} "
                    f"worker within {DELIVERY_TIMEOUT:.0f} s:\n{worker.output()}"
                )
            time.sleep(0.02)


class Worker(CeleryProcess):
    """``scripts/start worker`` for one side: one process, its own queue and node name."""

    def __init__(self, tmp_path: Path, env: Mapping[str, str], side: str, queue: str) -> None:
        folder = tmp_path / f"worker-{side}"
        folder.mkdir()
        super().__init__(folder, env, "worker")
        self.side = side
        self.queue = queue
        self.node = f"{side}@bench"

    def arguments(self) -> list[str]:
        return ["worker", "--queues", self.queue, "--hostname", self.node]

    def ensure_running(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise BenchFailed(f"the {self.side} worker exited:\n{self.output()}")

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def cpu_seconds(self) -> float:
        """CPU time of the worker so far: its main process, its pool process, and the pool
        processes that ended (replaced after --max-tasks-per-child), from /proc."""
        if self.process is None:
            raise BenchFailed(f"the {self.side} worker was not started")
        main = Path(f"/proc/{self.process.pid}")
        fields = (main / "stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        for task in (main / "task").iterdir():
            for child in (task / "children").read_text().split():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                    stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                    ticks += int(stat[11]) + int(stat[12])
        return ticks / TICKS

    def task_seconds_since(self, offset: int) -> list[float]:
        """Run times of the tasks the worker logged as succeeded after ``offset``."""
        with self.log.open("rb") as file:
            file.seek(offset)
            return [float(match) for match in _SUCCEEDED.findall(file.read())]


@dataclass
class Side:
    label: str
    enqueue: Enqueue
    receipts: Receipts
    worker: Worker
    drain: list[float] = field(default_factory=list)
    enqueue_rate: list[float] = field(default_factory=list)
    task_ms: list[float] = field(default_factory=list)
    enqueue_cpu_ms: list[float] = field(default_factory=list)
    worker_cpu_ms: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    on_commit_ms: list[float] = field(default_factory=list)
    sent_rate: list[float] = field(default_factory=list)
    handled_rate: list[float] = field(default_factory=list)
    busy_task_ms: list[float] = field(default_factory=list)
    longest_gap_ms: list[float] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        values: list[float] = getattr(self, attribute)
        return float(statistics.median(values)) if values else float("nan")


# --- measurements --------------------------------------------------------------------------


def control(side: Side, command: str) -> None:
    """Stop (``cancel_consumer``) or resume (``add_consumer``) the side's worker consuming."""
    from src.celery import app

    if command == "cancel":
        replies = app.control.cancel_consumer(
            side.worker.queue, destination=[side.worker.node], reply=True, timeout=CONTROL_TIMEOUT
        )
    else:
        replies = app.control.add_consumer(
            side.worker.queue, destination=[side.worker.node], reply=True, timeout=CONTROL_TIMEOUT
        )
    if not replies:
        raise BenchFailed(f"the {side.label} worker did not answer {command}_consumer")


def settle(side: Side) -> None:
    """Wait until the side has nothing left in flight (the outbox: every message done)."""
    from adapters.platform.outbox.models import OutboxMessage, Status

    if side.worker.queue != DEFAULT_QUEUE:
        time.sleep(0.2)  # the last plain task ends right after its handler started
        return
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while OutboxMessage.objects.exclude(status=Status.DONE).exists():
        failed = OutboxMessage.objects.filter(status=Status.FAILED).count()
        if failed:
            raise BenchFailed(f"{failed} outbox message(s) failed:\n{side.worker.output()}")
        if time.monotonic() > deadline:
            raise BenchFailed(f"outbox messages not done in time:\n{side.worker.output()}")
        side.worker.ensure_running()
        time.sleep(0.05)
    time.sleep(0.1)


def measure_drain(side: Side, events: int, tag: str) -> None:
    keys = [f"{tag}-{index}" for index in range(events)]
    control(side, "cancel")
    try:
        started = time.perf_counter()
        cpu_started = time.process_time()
        for key in keys:
            side.enqueue(key)
        enqueue_cpu = time.process_time() - cpu_started
        enqueue_seconds = time.perf_counter() - started
        log_offset = side.worker.log_size()
        worker_cpu = side.worker.cpu_seconds()
    finally:
        control(side, "add")
    handled = sorted(side.receipts.wait_for(keys, side.worker).values())
    settle(side)
    side.worker_cpu_ms.append((side.worker.cpu_seconds() - worker_cpu) / events * 1000)
    side.enqueue_cpu_ms.append(enqueue_cpu / events * 1000)
    side.drain.append((events - 1) / (handled[-1] - handled[0]))
    side.enqueue_rate.append(events / enqueue_seconds)
    task_seconds = side.worker.task_seconds_since(log_offset)
    if task_seconds:
        side.task_ms.append(statistics.median(task_seconds) * 1000)


def measure_latency(side: Side, rate: float, seconds: float, tag: str) -> None:
    events = max(int(rate * seconds), 2)
    keys = [f"{tag}-{index}" for index in range(events)]
    stamps: dict[str, tuple[float, float]] = {}
    log_offset = side.worker.log_size()
    start = time.perf_counter() + 0.05
    for index, key in enumerate(keys):
        delay = start + index / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        stamps[key] = side.enqueue(key)
    sent_seconds = time.perf_counter() - start
    handled = side.receipts.wait_for(keys, side.worker)
    settle(side)
    latencies = [(handled[key] - stamps[key][1]) * 1000 for key in keys]
    side.p50_ms.append(percentile(latencies, 50))
    side.p99_ms.append(percentile(latencies, 99))
    side.on_commit_ms.append(statistics.median((s[1] - s[0]) * 1000 for s in stamps.values()))
    side.sent_rate.append(events / sent_seconds)
    starts = sorted(handled.values())
    side.handled_rate.append((events - 1) / (starts[-1] - starts[0]))
    task_seconds = side.worker.task_seconds_since(log_offset)
    if task_seconds:
        side.busy_task_ms.append(statistics.median(task_seconds) * 1000)
    side.longest_gap_ms.append(max(b - a for a, b in itertools.pairwise(starts)) * 1000)


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (of 1000 samples, p99 is the 10th largest)."""
    ordered = sorted(values)
    rank = max(int(len(ordered) * q / 100 + 0.999999), 1)
    return ordered[min(rank, len(ordered)) - 1]


def warm_up(side: Side) -> None:
    """Imports, connections and caches on both ends, before anything is measured."""
    keys = [f"warm-{index}" for index in range(WARM_UP_EVENTS)]
    for key in keys:
        side.enqueue(key)
    side.receipts.wait_for(keys, side.worker)
    settle(side)


def run_rounds(sides: list[Side], args: argparse.Namespace, deadline: float) -> int:
    rounds = 0
    last_round = 0.0
    for number in range(1, args.rounds + 1):
        if time.monotonic() + last_round > deadline:
            print(f"another round would overrun --budget {args.budget:.0f} s: stopping here")
            break
        round_started = time.monotonic()
        for side in sides:
            measure_drain(side, args.events, f"drain{number}")
        for side in sides:
            measure_latency(side, args.rate, args.seconds, f"latency{number}")
        rounds += 1
        last_round = time.monotonic() - round_started
        print(
            f"round {number}: "
            + " | ".join(
                f"{s.label}: drain {s.drain[-1]:.0f}/s, p50 {s.p50_ms[-1]:.1f} ms, "
                f"p99 {s.p99_ms[-1]:.1f} ms"
                for s in sides
            ),
            flush=True,
        )
    return rounds


# --- processes and database ----------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str, tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a new, empty database (dropped afterwards on PostgreSQL)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    import psycopg

    drop = f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as connection:
        connection.execute(drop)  # left behind by an interrupted run
        connection.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_BENCH_DB}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
            conn.execute(drop)


def django_setup(env: Mapping[str, str]) -> None:
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"  # this process's own log; the workers log as deployed
    import django

    django.setup()
    import src.celery  # noqa: F401  (the app the plain task and the transport publish with)


def close_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def benchmark(args: argparse.Namespace, tmp_path: Path) -> tuple[list[Side], int]:
    from bench.outbox_app.handlers import OUTBOX, PLAIN, receipts_file
    from bench.outbox_app.tasks import PLAIN_QUEUE

    receipts = tmp_path / "receipts"
    receipts.mkdir()
    deadline = time.monotonic() + args.budget
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(RedisServer(tmp_path))
        database_url = stack.enter_context(database(args.database, tmp_path))
        stack.callback(close_connections)  # before the database is dropped
        env = app_environment(
            DJANGO_SETTINGS_MODULE=args.settings,
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=redis.url,
            CELERY_WORKER_CONCURRENCY="1",
            BENCH_OUTBOX_RECEIPTS=str(receipts),
            STATIC_ROOT=str(tmp_path / "static"),
            # The checkout first; then whatever the caller had (a --settings module of theirs).
            PYTHONPATH=os.pathsep.join(
                path for path in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if path
            ),
        )
        manage(env, "migrate", "--no-input", "-v0")
        workers = {
            OUTBOX: Worker(tmp_path, env, OUTBOX, DEFAULT_QUEUE),
            PLAIN: Worker(tmp_path, env, PLAIN, PLAIN_QUEUE),
        }
        for worker in workers.values():
            stack.enter_context(worker)
        django_setup(env)
        sides = [
            Side(
                "(a) outbox",
                enqueue_outbox,
                Receipts(receipts_file(receipts, OUTBOX)),
                workers[OUTBOX],
            ),
            Side(
                "(b) plain Celery",
                enqueue_plain,
                Receipts(receipts_file(receipts, PLAIN)),
                workers[PLAIN],
            ),
        ]
        for side in sides:
            warm_up(side)
        rounds = run_rounds(sides, args, deadline)
    return sides, rounds


# --- report --------------------------------------------------------------------------------


Column = tuple[str, str, str]  # title, Side attribute, format

DRAIN_COLUMNS: list[Column] = [
    ("drain/s", "drain", ".0f"),
    ("enqueue/s", "enqueue_rate", ".0f"),
    ("task ms", "task_ms", ".2f"),
    ("worker CPU ms", "worker_cpu_ms", ".2f"),
    ("enqueue CPU ms", "enqueue_cpu_ms", ".2f"),
]
LATENCY_COLUMNS: list[Column] = [
    ("sent/s", "sent_rate", ".0f"),
    ("handled/s", "handled_rate", ".0f"),
    ("task ms", "busy_task_ms", ".2f"),
    ("p50 ms", "p50_ms", ".1f"),
    ("p99 ms", "p99_ms", ".1f"),
    ("on-commit ms", "on_commit_ms", ".2f"),
    ("longest gap ms", "longest_gap_ms", ".0f"),
]


def table(sides: list[Side], columns: list[Column]) -> list[str]:
    """One line per side, then the ratios (a)/(b), as bench/run.py prints them."""
    outbox, plain = sides
    lines = [f"{'side':<18}" + "".join(f"{title:>15}" for title, _, _ in columns)]
    for side in sides:
        lines.append(
            f"{side.label:<18}"
            + "".join(f"{side.median(attr):>15{spec}}" for _, attr, spec in columns)
        )
    lines.append(
        f"{'(a)/(b)':<18}"
        + "".join(f"{outbox.median(attr) / plain.median(attr):>14.2f}x" for _, attr, _ in columns)
    )
    return lines


def report(sides: list[Side], rounds: int, args: argparse.Namespace) -> dict[str, Any]:
    outbox, plain = sides
    settings = "" if args.settings == SETTINGS else f", settings {args.settings}"
    drain_ratio = outbox.median("drain") / plain.median("drain")
    p99 = outbox.median("p99_ms")
    p99_verdict = (
        _verdict(p99 <= TARGET_P99_MS)
        if args.rate >= TARGET_RATE
        else f"(measured at {args.rate:g} events/s)"
    )
    lines = [
        f"Outbox vs plain Celery delay_on_commit, {args.database}{settings}, one worker per side "
        f"(scripts/start worker, concurrency 1), {rounds} interleaved rounds (medians)",
        "",
        f"drain: {args.events} events enqueued, then handled by the worker",
        *table(sides, DRAIN_COLUMNS),
        "",
        f"latency: {args.rate:g} events/s offered for {args.seconds:g} s, commit -> handler start",
        *table(sides, LATENCY_COLUMNS),
        "",
        "enqueue/s: events the committing process records and publishes a second, alone",
        "task ms: median run time of a task as the worker logs it (1000/drain - task ms: Celery)",
        "  (in the latency table: while the committing process runs beside the worker)",
        "worker CPU ms, enqueue CPU ms: CPU time per event of the worker (all its processes)"
        " and of the committing process",
        "handled/s below sent/s: the worker fell behind, and the latency is a growing queue",
        "on-commit ms: what the committing process spends after its commit (the publish)",
        "longest gap ms: the longest pause between two handler starts (a child being replaced)",
        "",
        f"target drain >= {TARGET_DRAIN_RATIO}x baseline:        {drain_ratio:.2f}x "
        f"{_verdict(drain_ratio >= TARGET_DRAIN_RATIO)}",
        f"target p99 <= {TARGET_P99_MS:.0f} ms at {TARGET_RATE} events/s:  {p99:.1f} ms "
        + p99_verdict,
    ]
    print("\n".join(lines))
    return {
        "database": args.database,
        "settings": args.settings,
        "events": args.events,
        "rate": args.rate,
        "seconds": args.seconds,
        "rounds": rounds,
        "sides": {
            side.label: {
                attr: getattr(side, attr) for _, attr, _ in DRAIN_COLUMNS + LATENCY_COLUMNS
            }
            for side in sides
        },
        "drain_ratio": drain_ratio,
        "outbox_p99_ms": p99,
    }


def _verdict(met: bool) -> str:
    return "OK" if met else "MISSED"


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # so that every finally block stops what it started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=2000, help="events per drain")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="events/s offered")
    parser.add_argument("--seconds", type=float, default=5, help="length of a latency run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=160, help="seconds of rounds at most")
    parser.add_argument(
        "--settings",
        default=SETTINGS,
        help="settings module of this process and the workers (one that imports "
        f"{SETTINGS} and changes something: to try a configuration without editing the project)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (worker logs, receipts)"
    )
    args = parser.parse_args()
    if args.events < 2 or args.rate <= 0 or args.seconds <= 0 or args.rounds < 1:
        parser.error("--events >= 2, --rate > 0, --seconds > 0 and --rounds >= 1")
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is missing: apt-get install redis-server")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    tmp_path = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    try:
        sides, rounds = benchmark(args, tmp_path)
    finally:
        if args.keep:
            print(f"worker logs and receipts kept in {tmp_path}")
        else:
            shutil.rmtree(tmp_path, ignore_errors=True)
    if rounds == 0:
        raise SystemExit("no round completed")
    result = report(sides, rounds, args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
