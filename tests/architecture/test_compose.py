"""compose.yaml, read as Docker Compose would (no engine runs here): every service has a
healthcheck, worker and beat are the image's start script in their modes, and the broker is
never the cache's Redis database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def services() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    found: dict[str, Any] = document["services"]
    return found


def test_the_stack_has_every_service_with_a_healthcheck() -> None:
    stack = services()
    assert set(stack) == {"db", "redis", "app", "worker", "beat", "mailpit"}
    for name, service in stack.items():
        if name == "app":  # the image's own HEALTHCHECK (/healthz) is the app's
            assert "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()
            assert "healthcheck" not in service
        else:
            assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_worker_and_beat_run_the_start_script_and_share_the_apps_settings() -> None:
    stack = services()
    for mode in ("worker", "beat"):
        assert stack[mode]["command"] == ["/app/scripts/start", mode]
        environment = stack[mode]["environment"]
        assert environment["DATABASE_URL"] == stack["app"]["environment"]["DATABASE_URL"]
        assert environment["CELERY_BROKER_URL"]


def test_the_broker_is_not_the_caches_redis_database() -> None:
    environment = services()["app"]["environment"]
    assert environment["CELERY_BROKER_URL"] != environment["REDIS_URL"]
