"""PostgreSQL going away under load, and coming back, under the production server.

The database is cut as an outage cuts it: every connection to it is terminated and new ones
are refused (``ALLOW_CONNECTIONS false``), while clients keep creating organizations through
two gunicorn workers. Requests during the outage must get a 503 problem body (never a 500, an
HTML page or a reset connection); once the database accepts connections again, requests
succeed with no restart (CONN_HEALTH_CHECKS replaces the dead connections); and nothing is
half-written: exactly the organizations whose creation was answered 201 exist, each with its
owner.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from tests.servers import (
    GENEROUS_THROTTLES,
    AppServer,
    Response,
    app_environment,
    isolated_database,
    postgres_server_url,
    register_and_login,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLIENTS = 4
PROBLEM = "application/problem+json"


def set_reachable(database: str, *, reachable: bool) -> None:
    server_url = postgres_server_url()
    assert server_url is not None
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as connection:
        connection.execute(
            sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                sql.Identifier(database), sql.SQL("true" if reachable else "false")
            )
        )
        if not reachable:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [database],
            )


def test_an_outage_answers_503_and_the_app_recovers_without_a_restart(tmp_path: Path) -> None:
    with isolated_database(tmp_path, "it_database_outage_test") as database:
        name = urlsplit(database["DATABASE_URL"]).path.lstrip("/")
        env = app_environment(GUNICORN_WORKERS="2", **GENEROUS_THROTTLES, **database)
        with AppServer(tmp_path, env) as server:
            auth = {"Authorization": f"Token {register_and_login(server, 'outage@example.com')}"}
            stop = threading.Event()
            answers: list[tuple[str, Response]] = []
            errors: list[BaseException] = []

            def create_organizations(client: int) -> None:
                attempt = 0
                while not stop.is_set():
                    organization = f"Outage {client}-{attempt}"
                    try:
                        answer = server.request(
                            "POST", "/api/v1/orgs", {"name": organization}, auth
                        )
                    except OSError as error:  # a reset or refused connection
                        errors.append(error)
                    else:
                        answers.append((organization, answer))
                    attempt += 1

            with ThreadPoolExecutor(CLIENTS) as pool:
                for client in range(CLIENTS):
                    pool.submit(create_organizations, client)
                time.sleep(0.5)
                set_reachable(name, reachable=False)
                time.sleep(1.5)
                during_outage = server.request("GET", "/api/v1/me", headers=auth)
                set_reachable(name, reachable=True)
                time.sleep(1.0)
                stop.set()

            after = server.request("GET", "/api/v1/me", headers=auth)
            listed = server.request("GET", "/api/v1/orgs?page_size=100", headers=auth)
            pages = [listed.json()]
            while pages[-1]["next"]:
                next_page = urlsplit(pages[-1]["next"])
                pages.append(
                    server.request(
                        "GET", f"{next_page.path}?{next_page.query}", headers=auth
                    ).json()
                )
            log = server.output(limit=200_000)

    statuses = {answer.status for _, answer in answers}
    assert not errors, errors[:3]
    assert statuses <= {201, 503}, (statuses, log)
    assert 503 in statuses, "the outage was not seen: cut it for longer"
    assert all(
        answer.headers.get_content_type() == PROBLEM and answer.json()["status"] == 503
        for _, answer in answers
        if answer.status == 503
    )
    assert during_outage.status == 503
    assert during_outage.headers.get_content_type() == PROBLEM
    assert after.status == 200, after.body
    # Requests succeeded again after the outage, in both workers' turn.
    assert answers[-1][1].status == 201, log
    created = {organization for organization, answer in answers if answer.status == 201}
    stored = {item["name"]: item["role"] for page in pages for item in page["results"]}
    assert set(stored) == created
    assert set(stored.values()) == {"owner"}
    assert '"status": 500' not in log
