"""Every access log line is valid JSON whatever the request carries (CWE-117).

Hostile paths (an encoded quote and newline that would close the JSON string and start a
forged entry), user agents and request ids go through the production server; every line of
its log that is JSON must parse, each request must have exactly one entry, with the path as
the client sent it (decoded), and no entry may be forged.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.servers import AppServer, app_environment, isolated_database

pytestmark = pytest.mark.slow

FORGERY = '{"level": "INFO", "logger": "gunicorn.access", "forged": true}'
HOSTILE_PATHS = {
    "/api/v1/%22%7D%0A" + FORGERY.replace('"', "%22").replace(" ", "%20"): '/api/v1/"}\n' + FORGERY,
    "/api/v1/a%5Cb%22c": '/api/v1/a\\b"c',
    "/api/v1/%E2%80%A8%1B%5B31m%7F": "/api/v1/\u2028\x1b[31m\x7f",
}
HOSTILE_HEADERS = {
    "User-Agent": 'evil" , "forged": true, "x": "\\',
    "X-Request-ID": '"}{"forged": true',
    "Referer": "\u00e9\u00e8",
}


def access_entries(log: str) -> list[dict[str, Any]]:
    entries = []
    for line in log.splitlines():
        if line.startswith("{"):
            entry = json.loads(line)  # fails the test on any broken line
            if entry.get("logger") == "gunicorn.access":
                entries.append(entry)
    return entries


def hostile_entries(log: str) -> list[dict[str, Any]]:
    """The entries of the test's requests (the start polls /healthz, maybe several times)."""
    return [entry for entry in access_entries(log) if entry["path"] != "/healthz"]


def test_hostile_requests_leave_valid_json_lines_and_forge_none(tmp_path: Path) -> None:
    with (
        isolated_database(tmp_path, "it_access_log_test") as database,
        AppServer(tmp_path, app_environment(**database)) as server,
    ):
        statuses = [
            server.request("GET", path, headers=HOSTILE_HEADERS).status for path in HOSTILE_PATHS
        ]
        # The access line is written after the response is sent: wait for the last one.
        deadline = time.monotonic() + 5
        while len(hostile_entries(log := server.output(limit=500_000))) < len(HOSTILE_PATHS):
            assert time.monotonic() < deadline, log
            time.sleep(0.05)

    entries = access_entries(log)
    hostile = hostile_entries(log)
    assert [entry["path"] for entry in hostile] == list(HOSTILE_PATHS.values())
    assert [entry["status"] for entry in hostile] == statuses
    assert all(entry["user_agent"] == HOSTILE_HEADERS["User-Agent"] for entry in hostile)
    # The application answers with its own request id, never the client's hostile one.
    assert all(entry["request_id"] != HOSTILE_HEADERS["X-Request-ID"] for entry in hostile)
    assert not any("forged" in entry for entry in entries)
