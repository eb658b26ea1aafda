"""Benchmark the fixed cost of a small request: GET and PATCH /me against plain DRF.

    python -m bench.fixed_cost [--database postgres|sqlite] [--rounds 3] [--duration 5]
                               [--connections 8] [--threads 2] [--modes memory,redis]
                               [--reference-throttle drf|none] [--requests 2000]
                               [--middleware-requests 100] [--wait 600] [--show-queries]
                               [--skip-in-process] [--json FILE]

Most API calls are small: there a request costs what the framework costs, not what its query
does. This measures that cost beside the read-path bench (bench/run.py, whose functions it
uses: the database reset, gunicorn serving ``bench.settings`` — production settings, throttle
rates raised so that nothing is refused, 2 sync workers, 127.0.0.1 only —, wrk's output
parsing and the workers' CPU time from /proc). One user with a knox token (production's
expiry) and a profile; five endpoints, interleaved round by round (a, b, c, a', b', a, ...) so
that noise on the machine hits them alike, with wrk ``-t2 -c8``:

  (a)  the app    GET   /api/v1/me
  (b)  plain DRF  GET   /bench/drf/me      (bench/fixed_cost_reference.py: what "plain DRF"
                                            means here is written down there)
  (c)  floor      GET   /bench/floor       (a Django view, constant JSON, same middleware)
  (a') the app    PATCH /api/v1/me         {"bio": ...} (bench/fixed_cost.lua)
  (b') plain DRF  PATCH /bench/drf/me

The whole comparison runs twice (``--modes``): without REDIS_URL (every worker counts its
throttles in its own memory) and with REDIS_URL naming a redis-server of the run's own (a free
127.0.0.1 port, stopped at the end), as production runs. For each it prints req/s, p50 and p99
latency (medians of the rounds), the workers' CPU per request, statements per request (counted
in-process with CaptureQueriesContext; the connection health check Django runs before a
request's first statement, CONN_HEALTH_CHECKS, is counted apart: it bypasses Django's
cursor), Redis commands per request (INFO commandstats deltas over the measured runs), the
ratios against the reference of the same method, and the issue's targets.

Then, in-process (Django's test client against the same settings, REDIS_URL set, one request
after another; ``close_old_connections()`` before each, as the request_started signal does
under gunicorn and the test client does not):

- the wall time per request of each endpoint (``--requests`` each, in 5 interleaved rounds);
- where the time of one request goes: cProfile over ``--requests`` requests of (a), (b), (a')
  and (b') after 200 warm-up requests, grouped with pstats into phases by the functions whose
  cumulative time they are — each middleware of MIDDLEWARE (its own time, the layers below it
  excluded), URL routing, DRF's dispatch (Request, negotiation, permissions, response),
  authentication, the health check, the throttles' allow_request, the container resolution
  (the ``@inject`` wrapper's own time), parsing and validation, the view, the service, its
  unit of work, the repository, DRF's ModelSerializer (reference), the output mapping, the
  renderer, and the rest (Django's handler, signals, the test client). Times are under the
  profiler, which slows call-heavy code most: compare shares, and the unprofiled wall times;
- the container resolution measured directly: ``application.identity.user_service()`` called
  20,000 times; and the connection health check's cost: GET /me with the check armed before
  each request and without, paired rounds;
- each middleware's cost measured by removing it: GET /me with MIDDLEWARE minus that one
  (``override_settings``, a new test client) against the full list, the median of 10 paired
  rounds of ``--middleware-requests`` requests (in a shuffled order each round); the same on
  the floor, 5 times as many, where no database or Redis round trip adds noise. A middleware
  that others need cannot be removed alone (said so): the admin's three (sessions,
  authentication, messages) are also removed together.

Before each measured phase it waits (``--wait`` seconds at most, polling) until no other
benchmark runs on the machine (``pgrep -f "wrk |bench\\."``, its own processes excepted), and
says in its output whether it had to measure under load. ``--json FILE`` also writes the
results there; ``--skip-in-process`` runs the wrk comparison only. Every server it starts is
stopped before it returns; a run takes about four and a half minutes.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import json
import os
import pstats
import random
import re
import secrets
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import run

LUA_SCRIPT = Path(__file__).with_name("fixed_cost.lua")
PATCH_BODY = '{"bio": "Measured by bench/fixed_cost.py."}'
OTHER_BENCHMARKS = r"wrk |bench\."
REFERENCE_PATHS = {"drf": "/bench/drf/me", "none": "/bench/drf-unthrottled/me"}
MODE_TITLES = {
    "memory": "without REDIS_URL (throttles counted in each worker's memory)",
    "redis": "with REDIS_URL (a redis-server of the run's own), as production runs",
}
WARM_UP = 200  # in-process requests before anything is timed
ROUNDS_IN_PROCESS = 5
CONTAINER_CALLS = 20_000
REDIS_PROBES = 20
PATCH_KEY = "a'"  # the app's PATCH

Key = tuple[str, int, str]  # how cProfile names a function: (file, first line, name)


@dataclass
class FixedEndpoint(run.Endpoint):
    key: str = ""  # "a", "b", "c", "a'", "b'"
    method: str = "GET"
    implementation: str = "app"  # or "drf", "floor"
    health_checks: int = 0
    redis_commands: dict[str, float] = field(default_factory=dict)  # in-process, by command
    server_redis_calls: list[float] = field(default_factory=list)  # per request, per round
    sql: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"({self.key}) {self.label}"


def endpoints_for(reference: str) -> list[FixedEndpoint]:
    from src.settings.project import PROJECT_NAME

    drf = REFERENCE_PATHS[reference]
    return [
        FixedEndpoint(f"{PROJECT_NAME} GET", "/api/v1/me", key="a"),
        FixedEndpoint("plain DRF GET", drf, key="b", implementation="drf"),
        FixedEndpoint("floor", "/bench/floor", key="c", implementation="floor"),
        FixedEndpoint(f"{PROJECT_NAME} PATCH", "/api/v1/me", key="a'", method="PATCH"),
        FixedEndpoint("plain DRF PATCH", drf, key="b'", method="PATCH", implementation="drf"),
    ]


def reference_of(endpoints: list[FixedEndpoint], endpoint: FixedEndpoint) -> FixedEndpoint:
    """What ``endpoint`` is compared with: plain DRF with the same method (the floor: GET)."""
    return next(e for e in endpoints if e.implementation == "drf" and e.method == endpoint.method)


# --- the machine: other benchmarks --------------------------------------------------------------


def _parents() -> dict[int, int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    return parents


def own_processes() -> set[int]:
    """This process, its descendants (its servers, wrk) and its ancestors (the shell that
    started it, whose command line may name this bench)."""
    parents = _parents()
    mine = {os.getpid()}
    grew = True
    while grew:
        children = {child for child, parent in parents.items() if parent in mine}
        grew = not children <= mine
        mine |= children
    pid = os.getpid()
    while pid > 1:
        pid = parents.get(pid, 0)
        mine.add(pid)
    return mine


def other_benchmarks() -> list[str]:
    found = subprocess.run(
        ["pgrep", "-af", OTHER_BENCHMARKS], capture_output=True, text=True, check=False
    ).stdout
    mine = own_processes()
    return [line for line in found.splitlines() if int(line.split()[0]) not in mine]


def wait_until_quiet(phase: str, args: argparse.Namespace, notes: list[str]) -> None:
    """Wait, polling, until no other benchmark runs (at most ``--wait`` seconds)."""
    start = time.monotonic()
    others = other_benchmarks()
    while others and time.monotonic() - start < args.wait:
        time.sleep(10)
        others = other_benchmarks()
    waited = time.monotonic() - start
    load = Path("/proc/loadavg").read_text().split()[0]
    if others:
        note = f"{phase}: MEASURED UNDER LOAD after waiting {waited:.0f} s: " + "; ".join(
            line[:120] for line in others
        )
    elif waited >= 1:
        note = f"{phase}: waited {waited:.0f} s for other benchmarks to end"
    else:
        note = f"{phase}: no other benchmark running"
    notes.append(f"{note} (load average {load})")
    print(notes[-1], flush=True)


# --- data and in-process probes ------------------------------------------------------------------


def seed() -> str:
    """The benchmark's user (with its profile) and a token with production's expiry."""
    from knox.models import AuthToken

    from adapters.identity.models import User

    user = User.objects.create_user("fixed-cost@bench.example", secrets.token_urlsafe(16))
    _, token = AuthToken.objects.create(user=user)
    return str(token)


def new_client(token: str) -> Any:
    from django.test import Client

    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")


def send(client: Any, endpoint: FixedEndpoint, *, armed: bool = True) -> Any:
    """One request, after what request_started does under gunicorn (unless not ``armed``):
    closing connections past CONN_MAX_AGE and arming the health check of the next statement."""
    from django.db import close_old_connections

    if armed:
        close_old_connections()
    if endpoint.method == "PATCH":
        return client.patch(endpoint.path, PATCH_BODY, content_type="application/json")
    return client.get(endpoint.path)


def checked(response: Any, endpoint: FixedEndpoint) -> Any:
    if response.status_code != 200:
        raise SystemExit(
            f"{endpoint.name} answered {response.status_code}: {response.content[:300]!r}"
        )
    return response


@contextmanager
def health_checks_counted() -> Iterator[list[int]]:
    """Count the connection health checks (``is_usable``) run meanwhile."""
    from django.db import connection

    counted = [0]
    original = connection.is_usable

    def counting() -> bool:
        counted[0] += 1
        return bool(original())

    connection.is_usable = counting  # type: ignore[method-assign]  # an instance's, restored
    try:
        yield counted
    finally:
        del connection.is_usable


def probe(endpoint: FixedEndpoint, token: str, redis_url: str) -> None:
    """Statements and health checks of one request, and Redis commands per request."""
    import redis
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = new_client(token)
    checked(send(client, endpoint), endpoint)  # warm caches (content types, statements)
    with health_checks_counted() as health, CaptureQueriesContext(connection) as captured:
        checked(send(client, endpoint), endpoint)
    endpoint.queries = len(captured.captured_queries)
    endpoint.sql = [query["sql"] for query in captured.captured_queries]
    endpoint.health_checks = health[0]
    server = redis.Redis.from_url(redis_url)
    try:
        server.config_resetstat()
        for _ in range(REDIS_PROBES):
            checked(send(client, endpoint), endpoint)
        stats: dict[str, Any] = server.info("commandstats")
    finally:
        server.close()
    endpoint.redis_commands = {
        name.removeprefix("cmdstat_"): int(values["calls"]) / REDIS_PROBES
        for name, values in stats.items()
        if not name.startswith(("cmdstat_config", "cmdstat_info"))
    }


def redis_calls(redis_url: str) -> int:
    """Every command the server has run so far (INFO commandstats), INFO itself excepted."""
    import redis

    server = redis.Redis.from_url(redis_url)
    try:
        stats: dict[str, Any] = server.info("commandstats")
    finally:
        server.close()
    return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")


# --- load ----------------------------------------------------------------------------------------


def wrk(
    base: str, endpoint: FixedEndpoint, token: str, duration: int, args: argparse.Namespace
) -> tuple[float, float, float, int]:
    """bench/run.py's wrk() with threads and, for PATCH, bench/fixed_cost.lua."""
    command = [
        "wrk", "--latency", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s",
        "-H", f"Authorization: Token {token}",
    ]  # fmt: skip
    if endpoint.method == "PATCH":
        command += ["-s", str(LUA_SCRIPT), base + endpoint.path, "--", PATCH_BODY]
    else:
        command += [base + endpoint.path]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 30
    ).stdout
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw errors on {endpoint.name}:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None:
        raise SystemExit(f"wrk printed no rate for {endpoint.name}:\n{output}")
    latency = {m[0]: float(m[1]) * run._SCALE[m[2]] for m in run._LATENCY.findall(output)}
    return float(rate.group(1)), latency["50"], latency["99"], int(total.group(1))


def measure(
    endpoints: list[FixedEndpoint],
    base: str,
    token: str,
    *,
    server_pid: int,
    redis_url: str | None,
    args: argparse.Namespace,
) -> None:
    """bench/run.py's measure(), with this bench's wrk() and Redis commands counted."""
    for endpoint in endpoints:  # warm-up: imports, connections, caches
        wrk(base, endpoint, token, 1, args)
    for _ in range(args.rounds):
        for endpoint in endpoints:
            calls = redis_calls(redis_url) if redis_url else 0
            before = run.worker_cpu_ticks(server_pid)
            rate, p50, p99, total = wrk(base, endpoint, token, args.duration, args)
            cpu_seconds = (run.worker_cpu_ticks(server_pid) - before) / run.TICKS
            endpoint.samples.append(run.Sample(rate, p50, p99, cpu_seconds / total * 1e6))
            if redis_url:
                # INFO itself is not counted; the requests in flight when wrk stopped are noise.
                endpoint.server_redis_calls.append((redis_calls(redis_url) - calls) / total)


# --- in-process timing ---------------------------------------------------------------------------


def wall_times(endpoints: list[FixedEndpoint], token: str, requests: int) -> dict[str, float]:
    """µs per request of each endpoint, one request after another, interleaved rounds."""
    clients = {e.key: new_client(token) for e in endpoints}
    for endpoint in endpoints:
        for _ in range(WARM_UP):
            send(clients[endpoint.key], endpoint)
    per_round = max(requests // ROUNDS_IN_PROCESS, 1)
    rounds: dict[str, list[float]] = {e.key: [] for e in endpoints}
    for _ in range(ROUNDS_IN_PROCESS):
        for endpoint in endpoints:
            client = clients[endpoint.key]
            start = time.perf_counter()
            for _ in range(per_round):
                send(client, endpoint)
            rounds[endpoint.key].append((time.perf_counter() - start) / per_round * 1e6)
    return {key: float(statistics.median(values)) for key, values in rounds.items()}


def profiled(endpoint: FixedEndpoint, token: str, requests: int) -> dict[Key, Any]:
    client = new_client(token)
    for _ in range(WARM_UP):
        checked(send(client, endpoint), endpoint)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        send(client, endpoint)
    profile.disable()
    stats: dict[Key, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]  # pstats' own data
    return stats


def key_of(function: Any) -> Key:
    code = function.__code__
    return (code.co_filename, code.co_firstlineno, code.co_name)


class Profile:
    """pstats' table of one endpoint's profile, per request: (cc, nc, tt, ct, callers) by
    function; ``ct`` is a function's cumulative time, ``tt`` its own."""

    def __init__(self, stats: dict[Key, Any], requests: int) -> None:
        self.stats = stats
        self.requests = requests

    def ct(self, *functions: Key) -> float:
        """The cumulative time of these functions, µs per request."""
        seconds = sum(float(self.stats[f][3]) for f in functions if f in self.stats)
        return seconds / self.requests * 1e6

    def tt(self, function: Key) -> float:
        return float(self.stats[function][2]) / self.requests * 1e6 if function in self.stats else 0

    def edge(self, caller: Key, callee: Key) -> float:
        """The cumulative time of ``callee`` when called by ``caller``, µs per request."""
        calls = self.stats.get(callee, (0, 0, 0, 0, {}))[4].get(caller)
        return float(calls[3]) / self.requests * 1e6 if calls else 0.0

    def callees(self, caller: Key) -> list[Key]:
        return [key for key, entry in self.stats.items() if caller in entry[4]]

    @property
    def total(self) -> float:
        return sum(float(entry[2]) for entry in self.stats.values()) / self.requests * 1e6

    def matching(self, predicate: Callable[[Key], bool]) -> list[Key]:
        return [key for key in self.stats if predicate(key)]


def middleware_own_times(profile: Profile) -> dict[str, float]:
    """Each MIDDLEWARE entry's own time, µs per request: the layers below it excluded.

    A middleware with a ``__call__`` of its own: its cumulative time minus that of the next
    layer it calls (Django wraps each layer in ``convert_exception_to_response``'s ``inner``).
    One built on MiddlewareMixin: its process_* methods, plus an equal share of the mixin's
    ``__call__`` (shared by all of them: its own time and what it calls besides them)."""
    from django.conf import settings
    from django.core.handlers.exception import convert_exception_to_response
    from django.http import HttpResponse
    from django.utils.deprecation import MiddlewareMixin
    from django.utils.module_loading import import_string

    inner = key_of(convert_exception_to_response(lambda request: HttpResponse()))
    mixin_call = key_of(MiddlewareMixin.__call__)
    hooks = ("process_request", "process_view", "process_response", "process_exception")
    classes = {dotted: import_string(dotted) for dotted in settings.MIDDLEWARE}
    own: dict[str, float] = {}
    mixin_hooks: set[Key] = set()
    mixins = []
    for dotted, cls in classes.items():
        hooked = [key_of(getattr(cls, hook)) for hook in hooks if hasattr(cls, hook)]
        if issubclass(cls, MiddlewareMixin) and cls.__call__ is MiddlewareMixin.__call__:
            mixins.append(dotted)
            mixin_hooks.update(hooked)
            own[dotted] = profile.ct(*hooked)
        else:
            call = key_of(cls.__call__)
            own[dotted] = profile.ct(call) - profile.edge(call, inner) + profile.ct(*hooked)
    shared = profile.tt(mixin_call) + sum(
        profile.edge(mixin_call, callee)
        for callee in profile.callees(mixin_call)
        if callee != inner and callee not in mixin_hooks
    )
    for dotted in mixins:
        own[dotted] += shared / len(mixins)
    return own


@dataclass
class Phase:
    label: str
    micros: dict[str, float] = field(default_factory=dict)  # by endpoint key


def phases(profile: Profile, endpoint: FixedEndpoint) -> list[tuple[str, float]]:
    """The phases of one request, µs per request each (exclusive: they add up to the total)."""
    from django.db import connections
    from django.urls.resolvers import URLResolver
    from rest_framework import generics, renderers, serializers, throttling, views
    from rest_framework.request import Request
    from rest_framework.response import Response

    from adapters.identity import authentication
    from adapters.identity import views as identity_views
    from adapters.identity.repositories import DjangoUserRepository
    from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
    from adapters.platform.rest import rendering
    from adapters.platform.rest import throttling as app_throttling
    from bench import fixed_cost_reference
    from contexts.identity.application.services import UserService

    ct = profile.ct
    method = endpoint.method.lower()
    health = ct(key_of(type(connections["default"]).is_usable))
    auth = ct(
        key_of(authentication.TokenAuthentication.authenticate),
        key_of(fixed_cost_reference.KnoxTokenAuthentication.authenticate),
    )
    throttle = ct(
        key_of(app_throttling.FixedWindowThrottle.allow_request),
        key_of(throttling.SimpleRateThrottle.allow_request),
    )
    if endpoint.implementation == "app":
        wrapper = getattr(identity_views.MeView, method)
        handler = ct(key_of(wrapper))
        view_method = profile.edge(key_of(wrapper), key_of(inspect.unwrap(wrapper)))
    else:
        handler = view_method = ct(key_of(getattr(generics.RetrieveUpdateAPIView, method)))
    parsing = ct(key_of(vars(Request)["_parse"]))
    validation = ct(key_of(serializers.BaseSerializer.is_valid))
    unit_of_work = ct(key_of(DjangoUnitOfWork.__enter__), key_of(DjangoUnitOfWork.__exit__))
    repository = ct(key_of(DjangoUserRepository.get), key_of(DjangoUserRepository.save_profile))
    service = ct(key_of(UserService.get), key_of(UserService.update_profile))
    model_output = ct(key_of(vars(serializers.Serializer)["data"].fget))
    model_save = ct(key_of(serializers.BaseSerializer.save))
    mapping = ct(key_of(identity_views.map_me))
    rendering_ = ct(key_of(rendering.ORJSONRenderer.render), key_of(renderers.JSONRenderer.render))
    rendered = ct(key_of(vars(Response)["rendered_content"].fget))
    dispatch = ct(key_of(views.APIView.dispatch))
    drf = dispatch - auth - throttle - handler + rendered - rendering_ if dispatch else 0.0
    middleware = middleware_own_times(profile)
    rows = [(f"middleware: {dotted.rsplit('.', 1)[1]}", t) for dotted, t in middleware.items()]
    rows += [
        ("URL routing (resolver)", ct(key_of(URLResolver.resolve))),
        ("DRF dispatch: Request, negotiation, permissions, Response", drf),
        ("authentication (token and user query)", auth - health),
        ("connection health check (SELECT 1)", health),
        ("throttles (allow_request)", throttle),
        ("container resolution (@inject wrapper)", handler - view_method),
        ("request parsing (JSON)", parsing),
        ("input validation (serializer.is_valid)", validation),
        (
            "view method (actor, glue)",
            view_method - parsing - validation - service - model_output - model_save - mapping,
        ),
        ("service", service - unit_of_work - repository),
        ("unit of work (transaction)", unit_of_work),
        ("repository", repository),
        ("ModelSerializer output (serializer.data)", model_output),
        ("ModelSerializer save (update)", model_save),
        ("output mapping (compiled mapper)", mapping),
        ("rendering (renderer.render)", rendering_),
    ]
    rows.append(("Django's handler, signals, test client", profile.total - sum(t for _, t in rows)))
    return rows + waits(profile)


def waits(profile: Profile) -> list[tuple[str, float]]:
    """What the phases spent in the database driver and in Redis commands (not added up)."""
    import psycopg
    import redis
    import redis.client
    from django.db import connection

    if connection.vendor == "postgresql":
        driver = profile.ct(key_of(psycopg.Cursor.execute), key_of(psycopg.Connection.commit))
    else:
        sqlite = profile.matching(lambda key: key[0] == "~" and "sqlite3." in key[2])
        driver = profile.ct(*sqlite)
    commands = profile.ct(
        key_of(redis.Redis.execute_command), key_of(redis.client.Pipeline.execute)
    )
    return [
        ("  of all that, in the database driver (execute, commit)", driver),
        ("  of all that, in Redis commands (redis-py)", commands),
    ]


def health_check_cost(endpoint: FixedEndpoint, token: str, requests: int) -> float:
    """Wall µs per request that the connection health check adds to ``endpoint``: armed
    before each request (as under gunicorn) against not, the median of paired rounds."""
    client = new_client(token)
    for _ in range(WARM_UP):
        send(client, endpoint)
    per_round = max(requests // REMOVAL_ROUNDS, 1)
    differences = []
    for round_ in range(REMOVAL_ROUNDS):
        times = {}
        for armed in (True, False) if round_ % 2 else (False, True):
            start = time.perf_counter()
            for _ in range(per_round):
                send(client, endpoint, armed=armed)
            times[armed] = (time.perf_counter() - start) / per_round * 1e6
        differences.append(times[True] - times[False])
    return float(statistics.median(differences))


def container_resolution() -> float:
    """µs per ``application.identity.user_service()``: what ``@inject`` resolves for /me."""
    from src import container

    identity = container.application.identity
    identity.user_service()
    start = time.perf_counter()
    for _ in range(CONTAINER_CALLS):
        identity.user_service()
    return (time.perf_counter() - start) / CONTAINER_CALLS * 1e6


# The three that only the admin site uses (sessions, users, messages): they need each other, so
# they are also removed together.
ADMIN_MIDDLEWARE = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)
REMOVAL_ROUNDS = 10


Removals = tuple[float, float, dict[str, "Removal"]]  # see middleware_removal


@dataclass
class Removal:
    """What removing a middleware (or a group) saves, µs per request, on one endpoint."""

    label: str
    saved: float | None = None  # None: it cannot be removed (``why``)
    why: str = ""


def middleware_removal(
    endpoint: FixedEndpoint, token: str, requests: int
) -> tuple[float, float, dict[str, Removal]]:
    """Each middleware's cost on ``endpoint``, measured by removing it: wall µs per request
    with the full MIDDLEWARE minus with the list without it, the median of REMOVAL_ROUNDS
    paired differences (every variant runs ``requests`` requests a round, in a shuffled
    order). Returns the full list's µs per request, the spread of its rounds (half the
    interquartile range) and the removals by dotted path (or group label)."""
    from django.conf import settings
    from django.test import override_settings

    full = list(settings.MIDDLEWARE)
    variants = {"": full} | {dotted: [m for m in full if m != dotted] for dotted in full}
    if set(ADMIN_MIDDLEWARE) <= set(full):
        group = " + ".join(dotted.rsplit(".", 1)[1] for dotted in ADMIN_MIDDLEWARE)
        variants[group] = [m for m in full if m not in ADMIN_MIDDLEWARE]
    clients: dict[str, Any] = {}
    removals = {label: Removal(label) for label in variants if label}
    for label, middleware in variants.items():
        with override_settings(MIDDLEWARE=middleware):
            client = new_client(token)
            try:  # the handler loads the middleware on its first request
                response = send(client, endpoint)
            except Exception as error:  # reported: why it cannot be removed alone
                removals[label].why = str(error)
                continue
        if response.status_code != 200:
            removals[label].why = f"{endpoint.path} answers {response.status_code}"
            continue
        for _ in range(WARM_UP // 4):
            send(client, endpoint)
        clients[label] = client
    rounds: dict[str, list[float]] = {label: [] for label in clients}
    shuffle = random.Random(14)  # noqa: S311  (an order, not a secret)
    for _ in range(REMOVAL_ROUNDS):
        order = list(clients)
        shuffle.shuffle(order)
        for label in order:
            client = clients[label]
            start = time.perf_counter()
            for _ in range(requests):
                send(client, endpoint)
            rounds[label].append((time.perf_counter() - start) / requests * 1e6)
    baseline = rounds.pop("")
    for label, times in rounds.items():
        removals[label].saved = float(
            statistics.median(b - t for b, t in zip(baseline, times, strict=True))
        )
    quartiles = statistics.quantiles(baseline, n=4)
    return float(statistics.median(baseline)), (quartiles[2] - quartiles[0]) / 2, removals


# --- reports -------------------------------------------------------------------------------------


def _ratio(value: float, reference: float) -> float:
    return value / reference if reference else float("nan")


def report_load(
    mode: str, endpoints: list[FixedEndpoint], args: argparse.Namespace
) -> tuple[list[str], dict[str, Any]]:
    lines = [
        f"GET and PATCH /me, {args.database}, {MODE_TITLES[mode]}; gunicorn 2 sync workers, "
        f"wrk -t{args.threads} -c{args.connections}, {args.rounds} interleaved rounds of "
        f"{args.duration}s (medians); ratios against plain DRF with the same method",
        "",
        f"{'endpoint':<22}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'CPU us/req':>11}"
        f"{'queries':>8}{'+check':>7}{'redis':>6}{'req/s vs':>10}{'p50 vs':>8}{'p99 vs':>8}"
        f"{'CPU vs':>8}",
    ]
    result: dict[str, Any] = {}
    for endpoint in endpoints:
        reference = reference_of(endpoints, endpoint)
        ratios = {
            attribute: _ratio(endpoint.median(attribute), reference.median(attribute))
            for attribute in ("requests_per_second", "p50_ms", "p99_ms", "cpu_us_per_request")
        }
        redis = statistics.median(endpoint.server_redis_calls) if mode == "redis" else 0.0
        lines.append(
            f"{endpoint.name:<22}{endpoint.median('requests_per_second'):>7.0f}"
            f"{endpoint.median('p50_ms'):>8.2f}{endpoint.median('p99_ms'):>8.2f}"
            f"{endpoint.median('cpu_us_per_request'):>11.0f}{endpoint.queries:>8}"
            f"{endpoint.health_checks:>7}{redis:>6.1f}"
            f"{ratios['requests_per_second']:>9.2f}x{ratios['p50_ms']:>7.2f}x"
            f"{ratios['p99_ms']:>7.2f}x{ratios['cpu_us_per_request']:>7.2f}x"
        )
        result[endpoint.name] = {
            "path": endpoint.path,
            "method": endpoint.method,
            "requests_per_second": endpoint.median("requests_per_second"),
            "p50_ms": endpoint.median("p50_ms"),
            "p99_ms": endpoint.median("p99_ms"),
            "cpu_us_per_request": endpoint.median("cpu_us_per_request"),
            "queries": endpoint.queries,
            "health_checks": endpoint.health_checks,
            "redis_commands_per_request": redis,
            "vs_reference": ratios,
        }
    app, drf = endpoints[0], endpoints[1]
    throughput = _ratio(app.median("requests_per_second"), drf.median("requests_per_second"))
    latency = _ratio(app.median("p50_ms"), drf.median("p50_ms"))
    production = " (the targets are for this mode)" if mode == "redis" else " (informative)"
    lines += [
        "",
        f"targets, GET /me{production}:",
        f"  throughput >= 1.1x plain DRF: {throughput:.2f}x {run._verdict(throughput >= 1.1)}"
        f"   (stretch 1.3x: {run._verdict(throughput >= 1.3)})",
        f"  p50 <= 0.9x plain DRF:        {latency:.2f}x {run._verdict(latency <= 0.9)}",
        f"  queries per GET /me = 1:      {app.queries} "
        f"{run._verdict(app.queries == 1)} (plus {app.health_checks} health check)",
    ]
    return lines, result


def report_in_process(
    endpoints: list[FixedEndpoint],
    *,
    walls: dict[str, float],
    profiles: dict[str, list[tuple[str, float]]],
    container_us: float,
    health_us: float,
    removals: dict[str, Removals],
    args: argparse.Namespace,
) -> tuple[list[str], dict[str, Any]]:
    by_key = {e.key: e for e in endpoints}
    lines = [
        "",
        f"In-process, Django test client, {args.database}, REDIS_URL set, one request after "
        f"another (close_old_connections() before each, as under gunicorn); µs per request, "
        f"median of {ROUNDS_IN_PROCESS} interleaved rounds, {args.requests} requests each:",
        "  " + "   ".join(f"{by_key[key].name} {walls[key]:.0f}" for key in walls),
        "",
        "statements of one request (CaptureQueriesContext; +check: the connection health "
        "check, which bypasses Django's cursor) and Redis commands per request (in-process, "
        "INFO commandstats):",
    ]
    for endpoint in endpoints:
        commands = ", ".join(f"{n} {c:g}" for n, c in sorted(endpoint.redis_commands.items()))
        lines.append(
            f"  {endpoint.name:<22} {endpoint.queries} statements + {endpoint.health_checks} "
            f"check; Redis: {commands or 'none'}"
        )
        if args.show_queries:
            lines += [f"      {sql[:140]}" for sql in endpoint.sql]
    keys = list(profiles)
    totals = {
        key: sum(t for label, t in profiles[key] if not label.startswith("  ")) for key in keys
    }
    lines += [
        "",
        f"Where the time of one request goes: cProfile over {args.requests} requests each "
        f"(after {WARM_UP} warm-up), grouped with pstats; µs per request under the profiler "
        "(it slows call-heavy code most: read the shares) and share of the request",
        f"{'phase':<58}" + "".join(f"{by_key[key].name:>21}" for key in keys),
    ]
    labels = [label for label, _ in profiles[keys[0]]]
    table: dict[str, dict[str, float]] = {}
    for index, label in enumerate(labels):
        values = {key: profiles[key][index][1] for key in keys}
        table[label] = values
        cells = "".join(
            f"{values[key]:>13.0f}{values[key] / totals[key]:>7.0%} "
            if abs(values[key]) >= 0.5
            else f"{'-':>13}{'':>8}"
            for key in keys
        )
        lines.append(f"{label:<58}{cells}")
    lines.append(
        f"{'total under the profiler':<58}"
        + "".join(f"{totals[key]:>13.0f}{'100%':>7} " for key in keys)
    )
    lines.append(
        f"{'wall time without the profiler (above)':<58}"
        + "".join(f"{walls[key]:>13.0f}{'':>8}" for key in keys)
    )
    wrapper = table["container resolution (@inject wrapper)"]
    lines += [
        "",
        f"container resolution, directly: application.identity.user_service() "
        f"{container_us:.1f} us per call ({CONTAINER_CALLS} calls); the @inject wrapper's own "
        f"time in the profile: {wrapper['a']:.0f} us (GET), "
        f"{wrapper[PATCH_KEY]:.0f} us (PATCH), under the profiler",
        f"connection health check (CONN_HEALTH_CHECKS), directly: {health_us:.0f} us per GET "
        f"/me (armed before each request, as under gunicorn, or not; median of "
        f"{REMOVAL_ROUNDS} paired rounds, {args.requests} requests)",
    ]
    lines += report_middleware(profiles["a"], removals, args)
    result = {
        "wall_us": {by_key[key].name: walls[key] for key in walls},
        "phases_us_under_profiler": {
            by_key[key].name: {label: table[label][key] for label in labels} for key in keys
        },
        "container_resolution_us": container_us,
        "health_check_us": health_us,
        "middleware_removal": {
            path: {
                "full_list_us": full,
                "full_list_spread_us": spread,
                "saves_us": {label: r.saved if r.why == "" else r.why for label, r in by.items()},
            }
            for path, (full, spread, by) in removals.items()
        },
        "statements": {e.name: e.sql for e in endpoints},
        "redis_commands_in_process": {e.name: e.redis_commands for e in endpoints},
    }
    return lines, result


def report_middleware(
    app_get: list[tuple[str, float]], removals: dict[str, Removals], args: argparse.Namespace
) -> list[str]:
    """Every middleware with its measured cost: own time in GET /me's profile, and the wall
    time its removal saves on GET /me and on the floor."""
    (me, me_spread, on_me), (floor, floor_spread, on_floor) = removals.values()
    own = {label.removeprefix("middleware: "): t for label, t in app_get if "middleware" in label}
    lines = [
        "",
        "Middleware: own time in GET /me's profile (us, under the profiler), and the wall time "
        f"saved by removing it (override_settings, a new test client; median of {REMOVAL_ROUNDS} "
        f"paired rounds of {args.middleware_requests} requests on GET /me, "
        f"{5 * args.middleware_requests} on the floor, which has no round trips to add noise). "
        f"Full list: GET /me {me:.0f} us per request (rounds +-{me_spread:.0f}), floor "
        f"{floor:.0f} us (+-{floor_spread:.1f})",
        f"{'middleware':<66}{'profiled':>9}{'saves on /me':>13}{'on floor':>10}",
    ]
    for label, removal in on_me.items():
        parts = [part.rsplit(".", 1)[-1] for part in label.split(" + ")]
        profiled = sum(own.get(part, 0.0) for part in parts)
        if removal.saved is None:
            lines.append(
                f"{label:<66}{profiled:>9.0f}  cannot be removed alone: {removal.why[:60]}"
            )
            continue
        lines.append(
            f"{label:<66}{profiled:>9.0f}{removal.saved:>13.0f}"
            f"{on_floor[label].saved if on_floor[label].saved is not None else float('nan'):>10.1f}"
        )
    lines.append(f"{'all middleware (sum of own times)':<66}{sum(own.values()):>9.0f}")
    return lines


# --- main ----------------------------------------------------------------------------------------


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--modes", default="memory,redis", help="memory, redis or both")
    parser.add_argument("--reference-throttle", choices=sorted(REFERENCE_PATHS), default="drf")
    parser.add_argument("--requests", type=int, default=2000, help="in-process, per endpoint")
    parser.add_argument(
        "--middleware-requests", type=int, default=100, help="per variant, round"
    )  # /me
    parser.add_argument("--wait", type=int, default=600, help="at most, for other benchmarks")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true", help="the wrk runs only")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    args.mode_list = [mode for mode in args.modes.split(",") if mode]
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        raise SystemExit("wrk or redis-server is missing: apt-get install wrk redis-server")
    if not args.mode_list or set(args.mode_list) - set(MODE_TITLES):
        raise SystemExit(f"--modes: memory and/or redis, not {args.modes!r}")
    return args


def load_runs(
    probes: list[FixedEndpoint],
    token: str,
    env: dict[str, str],
    *,
    redis_server_url: str,
    args: argparse.Namespace,
    notes: list[str],
) -> dict[str, Any]:
    """Each cache mode's interleaved wrk runs, each against a gunicorn of its own."""
    results: dict[str, Any] = {}
    for mode in args.mode_list:
        endpoints = endpoints_for(args.reference_throttle)
        for measured, probed in zip(endpoints, probes, strict=True):
            measured.queries, measured.health_checks = probed.queries, probed.health_checks
        server_env = dict(env)
        redis_url = redis_server_url if mode == "redis" else None
        if redis_url:
            server_env["REDIS_URL"] = redis_url
        wait_until_quiet(f"wrk, {mode}", args, notes)
        port = run.free_port()
        with run.gunicorn(server_env, port) as server:
            measure(
                endpoints,
                f"http://127.0.0.1:{port}",
                token,
                server_pid=server.pid,
                redis_url=redis_url,
                args=args,
            )
        lines, results[mode] = report_load(mode, endpoints, args)
        print("\n".join(["", *lines]), flush=True)
    return results


def in_process(
    probes: list[FixedEndpoint], token: str, args: argparse.Namespace, notes: list[str]
) -> tuple[list[str], dict[str, Any]]:
    wait_until_quiet("in-process", args, notes)
    walls = wall_times(probes, token, args.requests)
    profiles = {
        e.key: phases(Profile(profiled(e, token, args.requests), args.requests), e)
        for e in probes
        if e.implementation != "floor"
    }
    container_us = container_resolution()
    health_us = health_check_cost(probes[0], token, args.requests)
    removals = {  # GET /me, as asked; the floor has no round trips to add noise
        endpoint.path: middleware_removal(endpoint, token, requests)
        for endpoint, requests in (
            (probes[0], args.middleware_requests),
            (probes[2], 5 * args.middleware_requests),
        )
    }
    return report_in_process(
        probes,
        walls=walls,
        profiles=profiles,
        container_us=container_us,
        health_us=health_us,
        removals=removals,
        args=args,
    )


def main() -> None:
    args = parse_arguments()
    from tests.servers import RedisServer

    notes: list[str] = []
    wait_until_quiet("database reset", args, notes)
    env = run.server_environment(args.database)
    run.reset_database(args.database)
    run.manage(env, "migrate", "--no-input", "-v0")
    results: dict[str, Any] = {"database": args.database, "reference": args.reference_throttle}
    with tempfile.TemporaryDirectory() as folder, RedisServer(Path(folder)) as redis_server:
        # In-process: the production configuration, REDIS_URL set.
        run.django_setup({**env, "REDIS_URL": redis_server.url})
        from django.db import connections

        token = seed()
        probes = endpoints_for(args.reference_throttle)
        for endpoint in probes:
            probe(endpoint, token, redis_server.url)
        connections.close_all()
        results |= load_runs(
            probes, token, env, redis_server_url=redis_server.url, args=args, notes=notes
        )
        if not args.skip_in_process:
            lines, results["in_process"] = in_process(probes, token, args, notes)
            print("\n".join(lines))
        connections.close_all()
    print("\n" + "\n".join(notes))
    results["notes"] = notes
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
