"""scripts/start, the container's start command, run here the way the image runs it.

It migrates a database of its own, collects static files, and serves the production settings
through gunicorn; the test then probes it over real HTTP and stops it with SIGTERM, as a
container runtime would. The database is a SQLite file in the test's temporary directory, or,
when DATABASE_URL names a PostgreSQL server (CI), a dedicated database created on that server
for this test and dropped afterwards, so neither the server's own database nor pytest-django's
test database is touched. No pytest-django database fixture is used: the server is another
process with its own connections.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from email.message import Message
from pathlib import Path
from typing import IO, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql
from typing_extensions import override

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SCRIPT = REPO_ROOT / "scripts" / "start"
DEDICATED_DATABASE = "bastion_start_script_test"
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "psql"})

# Migrations, collectstatic and gunicorn's boot take about 5 s on SQLite; room for slow CI.
STARTUP_TIMEOUT = 60.0
REQUEST_TIMEOUT = 5.0
SHUTDOWN_TIMEOUT = 15.0
POLL_INTERVAL = 0.25
# Behind the TLS-terminating proxy every request carries this; without it prod redirects to https.
HTTPS = {"X-Forwarded-Proto": "https"}


class Response(NamedTuple):
    status: int
    headers: Message
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report redirects as they are: an unexpected 301 to https must fail the test visibly."""

    @override
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> None:
        return None


# No proxy from the environment may stand between the test and its own server.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def http_get(port: int, path: str, headers: Mapping[str, str] | None = None) -> Response:
    """GET http://127.0.0.1:<port><path>, without raising for 4xx/5xx or following redirects."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=dict(headers or {}))
    try:
        with _OPENER.open(request, timeout=REQUEST_TIMEOUT) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.headers, error.read())


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


def _recreate_database(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as connection:
        name = sql.Identifier(DEDICATED_DATABASE)
        # A database left behind by an interrupted run is replaced: every run migrates from zero.
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _drop_database(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(DEDICATED_DATABASE)
            )
        )


@pytest.fixture
def database_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The server's database settings: a fresh SQLite file, or a dedicated PostgreSQL database."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        yield {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
        return
    parts = urlsplit(database_url)
    if parts.scheme not in POSTGRES_SCHEMES:
        pytest.skip(f"DATABASE_URL is not PostgreSQL ({parts.scheme}://); nothing to isolate")
    # Same server and credentials; libpq accepts only the postgres(ql):// spelling.
    server_url = urlunsplit(parts._replace(scheme="postgresql"))
    _recreate_database(server_url)
    try:
        yield {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{DEDICATED_DATABASE}"))}
    finally:
        _drop_database(server_url)


def server_env(*, port: int, static_root: Path, database: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # The database comes from `database` only; prod's security defaults are not overridden.
    for name in ("DATABASE_URL", "SQLITE_PATH", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="src.settings.prod",
        DJANGO_SECRET_KEY=random_secret_key(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_WORKERS="1",
        STATIC_ROOT=str(static_root),
        RUN_MIGRATIONS="1",
        RUN_COLLECTSTATIC="1",
        # The image puts its virtual environment first on PATH; this checkout's is the equivalent.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    )
    env.update(database)
    return env


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> Response:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        returncode = process.poll()
        if returncode is not None:
            pytest.fail(f"scripts/start exited with {returncode} before serving:\n{tail(log)}")
        try:
            response = http_get(port, "/healthz")
        except (OSError, http.client.HTTPException):  # not listening yet, or booting
            time.sleep(POLL_INTERVAL)
            continue
        if response.status == 200:
            return response
        time.sleep(POLL_INTERVAL)
    pytest.fail(f"/healthz not healthy within {STARTUP_TIMEOUT:.0f} s:\n{tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM the whole process group (gunicorn's master and workers), SIGKILL if it hangs."""
    if process.returncode is not None:
        return process.returncode
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=SHUTDOWN_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=SHUTDOWN_TIMEOUT)


def test_start_script_migrates_collects_static_and_serves(
    tmp_path: Path, database_env: dict[str, str]
) -> None:
    port = free_port()
    static_root = tmp_path / "static"
    log = tmp_path / "start.log"

    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603  # our own script, no shell, fixed arguments
            [str(START_SCRIPT)],
            cwd=tmp_path,  # the script finds the project by itself, wherever it is started
            env=server_env(port=port, static_root=static_root, database=database_env),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every worker
        )
    try:
        # Liveness, over plain HTTP as probes send it: exempt from the HTTPS redirect.
        health = wait_until_healthy(process, port, log)
        assert health.json() == {"status": "ok"}

        ready = http_get(port, "/readyz")
        assert ready.status == 200, ready.body
        body = ready.json()
        assert isinstance(body, dict)
        assert body["status"] == "ok"

        output = tail(log, limit=1_000_000)
        assert "Apply all migrations" in output

        assert (static_root / "staticfiles.json").is_file()  # the manifest WhiteNoise serves by
        assert (static_root / "admin" / "css" / "base.css").is_file()
        css = http_get(port, "/static/admin/css/base.css", HTTPS)
        assert css.status == 200
        assert css.headers.get_content_type() == "text/css"

        # Anything else over plain HTTP is sent to https.
        insecure = http_get(port, "/api/v1/me")
        assert insecure.status == 301
        assert insecure.headers["Location"] == f"https://127.0.0.1:{port}/api/v1/me"

        anonymous = http_get(port, "/api/v1/me", HTTPS)
        assert anonymous.status == 401, anonymous.body
        assert anonymous.headers.get_content_type() == "application/problem+json"
        assert anonymous.headers["WWW-Authenticate"]
        problem = anonymous.json()
        assert isinstance(problem, dict)
        assert problem["status"] == 401

        # A container runtime's SIGTERM shuts gunicorn down cleanly.
        assert stop(process) == 0, tail(log)
    finally:
        stop(process)
