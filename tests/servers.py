"""Real processes for the tests that need them: the app served by scripts/start, Celery's worker
and beat (scripts/start worker|beat), a Redis server.

Each runs on 127.0.0.1 on a free port, in its own process group, with its output in a log file
of the test's temporary directory, and is stopped by the test that started it (the context
managers below stop it whatever happens). Tests using them are about what only separate
processes show: workers sharing one database, a dependency going away, signals.

The app's database is a SQLite file in the test's temporary directory, or, when DATABASE_URL
names a PostgreSQL server (CI), a database created on that server for the test and dropped
afterwards; pytest-django's test database is never touched.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple, Self
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO_ROOT = Path(__file__).resolve().parents[1]
START_SCRIPT = REPO_ROOT / "scripts" / "start"
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "psql"})

# Migrations, collectstatic and gunicorn's boot take about 5 s on SQLite; room for slow CI.
STARTUP_TIMEOUT = 90.0
REQUEST_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 30.0
POLL_INTERVAL = 0.1
# Behind the TLS-terminating proxy every request carries this; without it prod redirects to https.
HTTPS = {"X-Forwarded-Proto": "https"}
# High enough that only a test about throttling meets a throttle.
GENEROUS_THROTTLES = {
    "THROTTLE_ANON_RATE": "100000/minute",
    "THROTTLE_USER_RATE": "100000/minute",
    "THROTTLE_AUTH_RATE": "100000/minute",
}


class ServerFailed(AssertionError):
    """A server did not start, or stopped when it should not have (with its log's tail)."""


class Response(NamedTuple):
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    body: object = None,
    headers: Mapping[str, str] | None = None,
    *,
    timeout: float = REQUEST_TIMEOUT,
) -> Response:
    """One HTTP request to 127.0.0.1:<port>, on a new connection; never follows redirects and
    never raises for an error status. A ``body`` is sent as JSON."""
    sent = dict(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=payload, headers=sent)
        answer = connection.getresponse()
        return Response(answer.status, answer.headers, answer.read())
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def random_secret_key(length: int = 60) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def tail(path: Path, limit: int = 6000) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return text[-limit:]


def stop_group(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    """Signal the whole process group (a master and its children), SIGKILL if it hangs."""
    if process.poll() is not None:
        return process.returncode
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        return process.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=SHUTDOWN_TIMEOUT)


# --- the app's database -------------------------------------------------------------------


def postgres_server_url() -> str | None:
    """The PostgreSQL server DATABASE_URL names (libpq's spelling), or None if it names none."""
    database_url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(database_url)
    if parts.scheme not in POSTGRES_SCHEMES:
        return None
    return urlunsplit(parts._replace(scheme="postgresql"))


@contextlib.contextmanager
def isolated_database(tmp_path: Path, name: str) -> Iterator[dict[str, str]]:
    """The environment naming a new, empty database for a server: a SQLite file (through
    DATABASE_URL, as users configure it), or a PostgreSQL database ``name`` on DATABASE_URL's
    server, dropped afterwards."""
    server_url = postgres_server_url()
    if server_url is None:
        yield {"DATABASE_URL": f"sqlite:///{tmp_path / f'{name}.sqlite3'}"}
        return
    identifier = sql.Identifier(name)
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as connection:
        # A database left behind by an interrupted run is replaced: every run starts empty.
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    try:
        yield {"DATABASE_URL": urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))}
    finally:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier)
            )


# --- the app, as the image serves it -------------------------------------------------------


def app_environment(**overrides: str) -> dict[str, str]:
    """The production settings as the image runs them, with this checkout's virtual
    environment first on PATH (the image's is), and ``overrides`` (the database, at least)."""
    env = dict(os.environ)
    for variable in (
        "DATABASE_URL",
        "SQLITE_PATH",
        "SECURE_SSL_REDIRECT",
        "REDIS_URL",
        "CELERY_BROKER_URL",
    ):
        env.pop(variable, None)
    env.update(
        DJANGO_SETTINGS_MODULE="src.settings.prod",
        DJANGO_SECRET_KEY=random_secret_key(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        HOST="127.0.0.1",
        GUNICORN_WORKERS="2",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    env.update(overrides)
    return env


def production_settings(*names: str, **overrides: str) -> dict[str, Any]:
    """The settings ``names`` as the production settings build them from the environment with
    ``overrides`` (read in a new interpreter, as the image's start script would), JSON-shaped."""
    script = (
        "import json, sys, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}, default=str))"
    )
    result = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", script, *names],
        cwd=REPO_ROOT,
        env=app_environment(**overrides),
        capture_output=True,
        text=True,
        check=True,
    )
    values: dict[str, Any] = json.loads(result.stdout)
    return values


def manage(env: Mapping[str, str], *arguments: str, timeout: float = 120) -> str:
    """Run ``manage.py`` with ``env`` (the server's settings); its output, or a failure."""
    result = subprocess.run(  # noqa: S603  (this interpreter, our own manage.py)
        [sys.executable, str(REPO_ROOT / "manage.py"), *arguments],
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise ServerFailed(f"manage.py {' '.join(arguments)}:\n{result.stdout}{result.stderr}")
    return result.stdout


class StartScriptProcess:
    """``scripts/start`` (in one of its modes) in its own process group, logging to a file in
    the test's folder, stopped with SIGTERM as a container runtime stops it. Subclasses say
    when it is ready (``wait_until_ready``)."""

    def __init__(self, tmp_path: Path, env: Mapping[str, str], *, name: str) -> None:
        self.log = tmp_path / f"{name}.log"
        self.env = dict(env)
        self.process: subprocess.Popen[bytes] | None = None

    def arguments(self) -> list[str]:
        return []

    def start(self) -> Self:
        with self.log.open("ab") as log_file:
            self.process = subprocess.Popen(  # noqa: S603  (our own script, fixed arguments)
                [str(START_SCRIPT), *self.arguments()],
                cwd=self.log.parent,  # the script finds the project by itself
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() reaches every child
            )
        self.wait_until_ready()
        return self

    def wait_until_ready(self) -> None:
        raise NotImplementedError

    def output(self, limit: int = 6000) -> str:
        return tail(self.log, limit)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process is None:
            return 0
        return stop_group(self.process, sig)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class AppServer(StartScriptProcess):
    """scripts/start (migrations, collectstatic, gunicorn) on a free port of 127.0.0.1."""

    def __init__(self, tmp_path: Path, env: Mapping[str, str], *, name: str = "app") -> None:
        self.port = free_port()
        super().__init__(
            tmp_path,
            {
                **env,
                "PORT": str(self.port),
                "STATIC_ROOT": env.get("STATIC_ROOT", str(tmp_path / "static")),
            },
            name=name,
        )

    def wait_until_ready(self) -> None:
        self.wait_until_healthy()

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            self.ensure_running()
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except (OSError, http.client.HTTPException):  # not listening yet, or booting
                pass
            time.sleep(POLL_INTERVAL)
        raise ServerFailed(f"/healthz not healthy within {STARTUP_TIMEOUT:.0f} s:\n{self.output()}")

    def ensure_running(self) -> None:
        assert self.process is not None, "start() first"
        if self.process.poll() is not None:
            raise ServerFailed(
                f"the server exited with {self.process.returncode}:\n{self.output()}"
            )

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        *,
        timeout: float = REQUEST_TIMEOUT,
    ) -> Response:
        """A request as the TLS-terminating proxy forwards it."""
        return request(self.port, method, path, body, {**HTTPS, **(headers or {})}, timeout=timeout)


def register_and_login(server: AppServer, email: str, password: str | None = None) -> str:
    """A new account through the API, and a token for it."""
    password = password or f"{secrets.token_urlsafe(12)} a long and unusual passphrase"
    registered = server.request(
        "POST", "/api/v1/auth/register", {"email": email, "password": password, "name": "Tester"}
    )
    assert registered.status == 201, registered.body
    login = server.request("POST", "/api/v1/auth/login", {"email": email, "password": password})
    assert login.status == 200, login.body
    token: str = login.json()["token"]
    return token


# --- Celery worker and beat ------------------------------------------------------------------


class CeleryProcess(StartScriptProcess):
    """``scripts/start worker`` or ``scripts/start beat`` (Celery on the broker that ``env``
    names)."""

    # What each one logs once it is ready to take (worker) or send (beat) tasks.
    READY = {"worker": " ready.", "beat": "beat: Starting..."}

    def __init__(self, tmp_path: Path, env: Mapping[str, str], mode: str) -> None:
        self.mode = mode
        super().__init__(tmp_path, env, name=f"celery-{mode}")

    def arguments(self) -> list[str]:
        return [self.mode]

    def wait_until_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"celery {self.mode} exited:\n{self.output()}")
            if self.READY[self.mode] in self.output(limit=1_000_000):
                return
            time.sleep(POLL_INTERVAL)
        raise ServerFailed(
            f"celery {self.mode} not ready in {STARTUP_TIMEOUT:.0f} s:\n{self.output()}"
        )


# --- Redis ---------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk; it can be stopped and started
    again on the same port, to play an outage."""

    def __init__(self, tmp_path: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise ServerFailed("redis-server is not installed (apt-get install redis-server)")
        self.executable = executable
        self.port = free_port()
        self.directory = tmp_path
        self.log = tmp_path / f"redis-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        with self.log.open("ab") as log_file:
            arguments = ["--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            arguments += ["--appendonly", "no", "--dir", str(self.directory)]
            self.process = subprocess.Popen(  # noqa: S603  (redis-server, fixed arguments)
                [self.executable, *arguments],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"redis-server exited:\n{tail(self.log)}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return self
            time.sleep(POLL_INTERVAL)
        raise ServerFailed(f"redis-server did not answer within 10 s:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, signal.SIGKILL)
            self.process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def dead_port() -> int:
    """A port nothing listens on (a dependency that is down)."""
    return free_port()
