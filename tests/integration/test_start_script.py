"""scripts/start, the container's start command, run here the way the image runs it.

It migrates a database of its own, collects static files, and serves the production settings
through gunicorn; the test then probes it over real HTTP and stops it with SIGTERM, as a
container runtime would (tests/servers.py starts and stops it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import AppServer, app_environment, isolated_database, request

pytestmark = pytest.mark.slow


def test_start_script_migrates_collects_static_and_serves(tmp_path: Path) -> None:
    static_root = tmp_path / "static"
    with isolated_database(tmp_path, "it_start_script_test") as database:
        env = app_environment(GUNICORN_WORKERS="1", STATIC_ROOT=str(static_root), **database)
        server = AppServer(tmp_path, env).start()
        try:
            # Liveness, over plain HTTP as probes send it: exempt from the HTTPS redirect.
            health = request(server.port, "GET", "/healthz")
            assert health.json() == {"status": "ok"}

            ready = request(server.port, "GET", "/readyz")
            assert ready.status == 200, ready.body
            assert ready.json()["status"] == "ok"

            assert "Apply all migrations" in server.output(limit=1_000_000)

            assert (static_root / "staticfiles.json").is_file()  # WhiteNoise's manifest
            assert (static_root / "admin" / "css" / "base.css").is_file()
            css = server.request("GET", "/static/admin/css/base.css")
            assert css.status == 200
            assert css.headers.get_content_type() == "text/css"

            # Anything else over plain HTTP is sent to https.
            insecure = request(server.port, "GET", "/api/v1/me")
            assert insecure.status == 301
            assert insecure.headers["Location"] == f"https://127.0.0.1:{server.port}/api/v1/me"

            anonymous = server.request("GET", "/api/v1/me")
            assert anonymous.status == 401, anonymous.body
            assert anonymous.headers.get_content_type() == "application/problem+json"
            assert anonymous.headers["WWW-Authenticate"]
            assert anonymous.json()["status"] == 401

            # A container runtime's SIGTERM shuts gunicorn down cleanly.
            assert server.stop() == 0, server.output()
        finally:
            server.stop()
