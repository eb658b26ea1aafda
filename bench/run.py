"""Benchmark the app's invoice list against plain DRF and the framework's floor.

    python -m bench.run [--rows 10000] [--database sqlite|postgres] [--scaling 10000,1000000]

Seeds one organization with ``--rows`` invoices, serves the project with gunicorn (2 sync
workers, production settings plus the reference endpoints of bench/reference.py, 127.0.0.1
only), and measures with wrk, interleaving the three endpoints round by round so that machine
noise hits all of them alike:

  (a) the app      GET /api/v1/orgs/{id}/invoices?page_size=50
  (b) plain DRF    GET /bench/drf/orgs/{id}/invoices?page_size=50   (ModelSerializer + ListAPIView)
  (c) floor        GET /bench/floor                                (Django view, constant JSON)

It prints req/s, p50 and p99 latency, server CPU per request (the workers' own CPU time, from
/proc) and queries per request, with ratios against (b). ``--scaling`` instead measures (a)'s
first and a deep page at several table sizes and draws docs/performance.png. ``--deep-row N``
measures, interleaved in one run, the first page against the page that starts at row N of
the table (``--rows 1000000 --deep-row 900000``): the cursor must bound the index, so the two
cost the same.
Every server it starts is stopped before it returns; runs are bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PAGE_SIZE = 50
TICKS = os.sysconf("SC_CLK_TCK")
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_DB = "app_bench"


@dataclass
class Sample:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float


@dataclass
class Endpoint:
    label: str
    path: str
    samples: list[Sample] = field(default_factory=list)
    queries: int = 0

    def median(self, attribute: str) -> float:
        return float(statistics.median(getattr(sample, attribute) for sample in self.samples))


# --- environment, database, data -----------------------------------------------------------------


def server_environment(database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{POSTGRES_BENCH_DB}"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(RESULTS / "bench.sqlite3")
    return env


def reset_database(database: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {POSTGRES_BENCH_DB} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {POSTGRES_BENCH_DB}")
    else:
        for suffix in ("", "-wal", "-shm"):
            (RESULTS / f"bench.sqlite3{suffix}").unlink(missing_ok=True)


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *arguments], env=env, check=True, timeout=600
    )


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def seed(rows: int) -> tuple[int, str]:
    """One organization (admin = the benchmark's user) with ``rows`` invoices; returns its id
    and the user's token. Another organization gets a tenth as many, so the index is shared."""
    from django.db import connection, transaction
    from django.db.models import Model
    from knox.models import AuthToken

    from adapters.identity.models import User
    from adapters.organizations.models import Membership, Organization

    with transaction.atomic():
        user = User.objects.create_user("bench@example.com", secrets.token_urlsafe(16))
        organizations = [Organization.objects.create(name=name) for name in ("Bench", "Other")]
        Membership.objects.create(organization=organizations[0], user=user, role="admin")
        for organization in organizations:
            account: type[Model] = import_module("adapters.billing.models").Account  # see reference
            account._default_manager.create(organization_id=organization.pk, currency="EUR")
        _, token = AuthToken.objects.create(user=user, expiry=None)
    insert_invoices(organizations[0].pk, rows)
    insert_invoices(organizations[1].pk, max(rows // 10, 1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return organizations[0].pk, token


def insert_invoices(organization_id: int, rows: int) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        sql = """
            INSERT INTO billing_invoice (account_id, number, amount_cents, currency, status,
                                         due_date, description, issued_at, paid_at)
            SELECT %s, n, 100 + n %% 900, 'EUR', (ARRAY['open','paid','void'])[1 + n %% 3],
                   DATE '2026-12-31', 'Invoice ' || n,
                   TIMESTAMPTZ '2020-01-01' + n * INTERVAL '1 second',
                   CASE WHEN n %% 3 = 1 THEN TIMESTAMPTZ '2020-01-01' + n * INTERVAL '2 second' END
            FROM generate_series(1, %s) AS n
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [organization_id, rows])
        return
    with connection.cursor() as cursor:
        statuses = ("open", "paid", "void")
        for start in range(1, rows + 1, 50_000):
            batch = [
                (
                    organization_id,
                    n,
                    100 + n % 900,
                    "EUR",
                    statuses[n % 3],
                    "2026-12-31",
                    f"Invoice {n}",
                    f"2020-01-01 00:00:00.{n:06d}"
                    if n < 10**6
                    else f"2020-01-02 00:00:00.{n % 10**6:06d}",
                    "2020-06-01 00:00:00" if n % 3 == 1 else None,
                )
                for n in range(start, min(start + 50_000, rows + 1))
            ]
            cursor.executemany(
                "INSERT INTO billing_invoice (account_id, number, amount_cents, currency, status,"
                " due_date, description, issued_at, paid_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                batch,
            )


def count_queries(path: str, token: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    client.get(path)  # warm caches (content types, prepared statements)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return len(captured.captured_queries)


# --- server and load ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "bench.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "2",
        "--worker-class", "sync",
        "--access-logfile", "/dev/null",
        "--error-logfile", "-",
        "--no-control-socket",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)


def worker_cpu_ticks(master_pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, token: str, duration: int, connections: int) -> tuple[float, float, float, int]:
    command = [
        "wrk", "--latency", "-t1", f"-c{connections}", f"-d{duration}s",
        "-H", f"Authorization: Token {token}", url,
    ]  # fmt: skip
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw errors on {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]  # wrk always prints it
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]  # likewise
    latency = {match[0]: float(match[1]) * _SCALE[match[2]] for match in _LATENCY.findall(output)}
    return rate, latency["50"], latency["99"], total


def measure(
    endpoints: list[Endpoint], base: str, token: str, server_pid: int, args: argparse.Namespace
) -> None:
    for endpoint in endpoints:  # warm-up: imports, connections, caches
        wrk(base + endpoint.path, token, 1, args.connections)
    for _ in range(args.rounds):
        for endpoint in endpoints:
            before = worker_cpu_ticks(server_pid)
            rate, p50, p99, total = wrk(
                base + endpoint.path, token, args.duration, args.connections
            )
            cpu_seconds = (worker_cpu_ticks(server_pid) - before) / TICKS
            endpoint.samples.append(Sample(rate, p50, p99, cpu_seconds / total * 1e6))


# --- reports -----------------------------------------------------------------------------------


def report(endpoints: list[Endpoint], args: argparse.Namespace) -> dict[str, Any]:
    app, drf, floor = endpoints
    lines = [
        f"Invoice list, {PAGE_SIZE} rows a page, {args.rows} invoices, {args.database}, "
        f"gunicorn 2 sync workers, wrk {args.connections} connections, "
        f"{args.rounds} interleaved rounds of {args.duration}s (medians)",
        "",
        f"{'endpoint':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}{'queries':>9}"
        f"{'req/s vs DRF':>14}{'p50 vs DRF':>12}{'CPU vs DRF':>12}",
    ]
    for endpoint in endpoints:
        lines.append(
            f"{endpoint.label:<12}{endpoint.median('requests_per_second'):>9.0f}"
            f"{endpoint.median('p50_ms'):>9.2f}{endpoint.median('p99_ms'):>9.2f}"
            f"{endpoint.median('cpu_us_per_request'):>12.0f}{endpoint.queries:>9}"
            f"{endpoint.median('requests_per_second') / drf.median('requests_per_second'):>13.2f}x"
            f"{endpoint.median('p50_ms') / drf.median('p50_ms'):>11.2f}x"
            f"{endpoint.median('cpu_us_per_request') / drf.median('cpu_us_per_request'):>11.2f}x"
        )
    throughput = app.median("requests_per_second") / drf.median("requests_per_second")
    latency = app.median("p50_ms") / drf.median("p50_ms")
    floor_cpu = app.median("cpu_us_per_request") / floor.median("cpu_us_per_request")
    lines += [
        "",
        f"target throughput >= 1.5x DRF: {throughput:.2f}x {_verdict(throughput >= 1.5)}",
        f"target p50 <= 0.65x DRF:       {latency:.2f}x {_verdict(latency <= 0.65)}",
        f"target CPU <= 6x floor:        {floor_cpu:.2f}x {_verdict(floor_cpu <= 6)}",
    ]
    print("\n".join(lines))
    return {
        "rows": args.rows,
        "database": args.database,
        "endpoints": {
            e.label: {
                "requests_per_second": e.median("requests_per_second"),
                "p50_ms": e.median("p50_ms"),
                "p99_ms": e.median("p99_ms"),
                "cpu_us_per_request": e.median("cpu_us_per_request"),
                "queries": e.queries,
            }
            for e in endpoints
        },
        "throughput_vs_drf": throughput,
        "p50_vs_drf": latency,
        "cpu_vs_floor": floor_cpu,
    }


def _verdict(met: bool) -> str:
    return "OK" if met else "MISSED"


def compare(args: argparse.Namespace) -> None:
    env = server_environment(args.database)
    reset_database(args.database)
    manage(env, "migrate", "--no-input", "-v0")
    django_setup(env)
    organization_id, token = seed(args.rows)
    query = f"?page_size={PAGE_SIZE}"
    endpoints = [
        Endpoint("app", f"/api/v1/orgs/{organization_id}/invoices{query}"),
        Endpoint("plain DRF", f"/bench/drf/orgs/{organization_id}/invoices{query}"),
        Endpoint("floor", "/bench/floor"),
    ]
    for endpoint in endpoints:
        endpoint.queries = count_queries(endpoint.path, token)
    port = free_port()
    with gunicorn(env, port) as server:
        measure(endpoints, f"http://127.0.0.1:{port}", token, server.pid, args)
    result = report(endpoints, args)
    (RESULTS / f"compare-{args.database}-{args.rows}.json").write_text(json.dumps(result, indent=2))


def scaling(args: argparse.Namespace) -> None:
    sizes = [int(size) for size in args.scaling.split(",")]
    points: dict[str, list[float]] = {"first page": [], "page 100": []}
    for size in sizes:
        env = server_environment(args.database)
        reset_database(args.database)
        manage(env, "migrate", "--no-input", "-v0")
        django_setup(env) if size == sizes[0] else None
        from django.db import connections

        connections.close_all()
        organization_id, token = seed(size)
        first = f"/api/v1/orgs/{organization_id}/invoices?page_size={PAGE_SIZE}"
        deep = deep_page(first, token, pages=100)
        port = free_port()
        with gunicorn(env, port) as server:
            for label, path in (("first page", first), ("page 100", deep)):
                endpoint = Endpoint(label, path)
                measure([endpoint], f"http://127.0.0.1:{port}", token, server.pid, args)
                points[label].append(endpoint.median("p50_ms"))
        connections.close_all()
        print(
            f"{size:>9} invoices: "
            + ", ".join(f"{k} p50 {v[-1]:.2f} ms" for k, v in points.items())
        )
    for label, values in points.items():
        print(f"{label}: p50 at {sizes[-1]} / p50 at {sizes[0]} = {values[-1] / values[0]:.2f}x")
    plot(sizes, points, args)


def deep_row(args: argparse.Namespace) -> None:
    """The first page against the page starting at row ``--deep-row``, side by side."""
    env = server_environment(args.database)
    reset_database(args.database)
    manage(env, "migrate", "--no-input", "-v0")
    django_setup(env)
    from django.db import connections

    connections.close_all()
    organization_id, token = seed(args.rows)
    first = f"/api/v1/orgs/{organization_id}/invoices?page_size={PAGE_SIZE}"
    deep = f"{first}&cursor={cursor_at_row(organization_id, args.deep_row)}"
    connections.close_all()
    endpoints = [Endpoint("first page", first), Endpoint(f"row {args.deep_row}", deep)]
    port = free_port()
    with gunicorn(env, port) as server:
        measure(endpoints, f"http://127.0.0.1:{port}", token, server.pid, args)
    first_page, deep_page_ = endpoints
    ratio = deep_page_.median("p50_ms") / first_page.median("p50_ms")
    for endpoint in endpoints:
        print(
            f"{endpoint.label:<14} p50 {endpoint.median('p50_ms'):7.2f} ms  "
            f"p99 {endpoint.median('p99_ms'):7.2f} ms  "
            f"{endpoint.median('requests_per_second'):7.0f} req/s"
        )
    print(f"deep / first p50 = {ratio:.2f}x (target <= 1.2x) {_verdict(ratio <= 1.2)}")


def cursor_at_row(organization_id: int, row: int) -> str:
    """The cursor a client following ``next`` links would hold just before row ``row`` (the
    list's own encoding: adapters/platform/rest/pagination.py), without walking there."""
    from django.db.models import Model

    from adapters.platform.rest import pagination

    invoice: type[Model] = import_module("adapters.billing.models").Invoice
    ordering = ["-issued_at", "-id"]
    edge = (
        invoice._default_manager.filter(account_id=organization_id)
        .order_by(*ordering)
        .values_list("issued_at", "id")[row - 1]
    )
    # The list's own (private) cursor format: the bench must send what a client would.
    return pagination._encode(pagination._FORWARD, ordering, list(edge))


def deep_page(first: str, token: str, pages: int) -> str:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    path = first
    for _ in range(pages - 1):
        link = client.get(path).json()["next"]
        path = link.split("127.0.0.1", 1)[1].split("/", 1)[1]
        path = "/" + path
    return path


def plot(sizes: list[int], points: dict[str, list[float]], args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4))
    for label, values in points.items():
        axes.plot(sizes, values, marker="o", label=f"invoice list, {label}")
    axes.set_xscale("log")
    axes.set_ylim(bottom=0)
    axes.set_xlabel("invoices in the table")
    axes.set_ylabel("p50 latency (ms)")
    axes.set_title(f"Keyset-paginated invoice list on {args.database}, {PAGE_SIZE} rows a page")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    target = ROOT / "docs" / "performance.png"
    figure.savefig(target, dpi=110)
    print(f"plot written to {target.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--scaling", help="comma-separated table sizes: measure and plot")
    parser.add_argument("--deep-row", type=int, help="measure the page at this row vs the first")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian's package)")
    if not (ROOT / "adapters" / "billing").is_dir():
        raise SystemExit("the read-path bench measures billing's invoice list: billing is gone")
    if args.deep_row:
        deep_row(args)
    elif args.scaling:
        scaling(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
