"""Error reporting (sentry-sdk): nothing unless SENTRY_DSN is set; then Django's, Celery's and
logging's integrations, no personal data in the event, and the request id as a tag."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk
from dependency_injector import providers
from rest_framework.test import APIClient
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from src import error_reporting
from src.container import ApplicationContainer
from tests.servers import REPO_ROOT, app_environment

DSN = "https://public-key@sentry.example.com/1"  # never reached: the transport stands in


class CollectingTransport(Transport):
    """Keeps the events the SDK would send."""

    events: list[dict[str, Any]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.type == "event" and item.payload.json is not None:
                self.events.append(item.payload.json)


@pytest.fixture
def reported() -> Iterator[list[dict[str, Any]]]:
    CollectingTransport.events = []
    error_reporting.start(
        dsn=DSN,
        environment="test",
        release="1.2.3",
        traces_sample_rate=0.0,
        transport=CollectingTransport,
    )
    yield CollectingTransport.events
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)  # off again for the other tests


@pytest.fixture
def failing_me(container: ApplicationContainer) -> Iterator[None]:
    class BrokenUnitOfWork:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("simulated failure")

        def __enter__(self) -> Any:
            raise RuntimeError("simulated failure")

        def __exit__(self, *exc: object) -> None:
            return None

    with container.identity.uow.override(providers.Factory(BrokenUnitOfWork)):
        yield


@pytest.mark.django_db
def test_an_unexpected_error_is_reported_without_personal_data_and_with_its_request_id(
    reported: list[dict[str, Any]], user_client: APIClient, failing_me: None
) -> None:
    user_client.raise_request_exception = False

    response = user_client.get(
        "/api/v1/me", HTTP_X_REQUEST_ID="req-sentry-1", HTTP_COOKIE="sessionid=secret-session"
    )
    sentry_sdk.flush()

    assert response.status_code == 500
    [event] = [event for event in reported if event.get("level") == "error"]
    assert event["tags"]["request_id"] == "req-sentry-1" == response["X-Request-ID"]
    assert event["environment"] == "test"
    assert event["release"] == "1.2.3"
    assert event["exception"]["values"][-1]["value"] == "simulated failure"
    sent = json.dumps(event)
    assert "secret-session" not in sent
    credentials = user_client._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]  # APIClient keeps credentials() here
    assert credentials.split()[-1] not in sent, "the API token is never sent"
    assert "ip_address" not in event.get("user", {})
    assert "data" not in event.get("request", {}), "request bodies are never sent"


def test_django_celery_and_logging_are_integrated(reported: list[dict[str, Any]]) -> None:
    integrations = sentry_sdk.get_client().integrations

    assert {"django", "celery", "logging"} <= set(integrations)
    collected = sentry_sdk.get_client().options["data_collection"]
    assert collected["user_info"] is False
    assert collected["http_bodies"] == []
    assert collected["stack_frame_variables"] is False


@pytest.mark.slow
def test_without_a_dsn_the_sdk_is_not_started() -> None:
    script = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.is_initialized())"

    def started(**env: str) -> str:
        return subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            env=app_environment(**env),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert started() == "False"
    assert started(SENTRY_DSN=DSN) == "True"
