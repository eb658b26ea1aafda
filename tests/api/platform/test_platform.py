"""Cross-cutting behaviour: request ids, JSON-only errors, health, the database going away,
schema and docs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from dependency_injector import providers
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.platform.http.request_context import RequestIdLogFilter
from src.container import ApplicationContainer
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


# --- request ids -------------------------------------------------------------------------------


def test_every_response_gets_a_fresh_request_id(api_client: APIClient) -> None:
    first, second = api_client.get("/api/v1/me"), api_client.get("/healthz")

    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_client_request_id_is_echoed(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/me", HTTP_X_REQUEST_ID="client-id_1.2:3")

    assert response["X-Request-ID"] == "client-id_1.2:3"


@pytest.mark.parametrize("offered", ["", "x" * 129, "has space", "new\nline", "<script>"])
def test_an_unacceptable_client_request_id_is_replaced(api_client: APIClient, offered: str) -> None:
    response = api_client.get("/api/v1/me", HTTP_X_REQUEST_ID=offered)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Captures the ``django.request`` logger through the project's JSON formatter."""
    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    stream = io.StringIO()
    logging_config: dict[str, Any] = settings.LOGGING
    options = dict(logging_config["formatters"]["json"])
    options.pop("()")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdLogFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_log_lines_are_json_carrying_the_request_id(
    api_client: APIClient, json_log: io.StringIO
) -> None:
    response = api_client.get("/api/v1/no-such-thing", HTTP_X_REQUEST_ID="trace-me")

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines, "the 404 was logged"
    assert {line["request_id"] for line in lines} == {"trace-me"}
    assert response["X-Request-ID"] == "trace-me"
    assert {"time", "level", "logger", "message"} <= lines[0].keys()


# --- JSON everywhere ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/me/", "/api/v2/me", "/api/"])
def test_unknown_api_paths_are_problem_404s(api_client: APIClient, path: str) -> None:
    assert_problem(api_client.get(path), 404)


def test_unknown_paths_outside_the_api_are_json_too(api_client: APIClient) -> None:
    assert_problem(api_client.get("/nothing-here"), 404)


@pytest.fixture
def failing_identity(container: ApplicationContainer) -> Iterator[dict[str, type[Exception]]]:
    """Make identity's unit of work raise the exception class put into the returned dict."""
    raised: dict[str, type[Exception]] = {}

    class BrokenUnitOfWork:
        """Fails on any use: entering it, or reaching a repository through it."""

        def __getattr__(self, name: str) -> Any:
            raise raised["error"]("simulated")

        def __enter__(self) -> Any:
            raise raised["error"]("simulated")

        def __exit__(self, *exc: object) -> None:
            return None

    with container.identity.uow.override(providers.Factory(BrokenUnitOfWork)):
        yield raised


def test_an_unexpected_error_is_a_500_problem_without_internals(
    user_client: APIClient, failing_identity: dict[str, type[Exception]]
) -> None:
    failing_identity["error"] = RuntimeError
    user_client.raise_request_exception = False

    response = user_client.get("/api/v1/me")

    body = assert_problem(response, 500)
    assert "simulated" not in response.content.decode()
    assert "Traceback" not in body["detail"]


def test_the_database_going_away_is_a_503_problem(
    user_client: APIClient, failing_identity: dict[str, type[Exception]]
) -> None:
    failing_identity["error"] = OperationalError

    response = user_client.get("/api/v1/me")

    assert_problem(response, 503)
    assert response["Retry-After"]


# --- health ------------------------------------------------------------------------------------


def test_healthz_is_public_and_cheap(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "not configured"},
    }


def test_readyz_is_503_when_the_database_is_unreachable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("adapters.platform.http.health.connection.cursor", refuse)

    body = assert_problem(client.get("/readyz"), 503)
    assert body["checks"] == {"database": "unavailable", "cache": "ok", "broker": "not configured"}


def test_health_probes_accept_only_safe_methods(client: Client) -> None:
    for path in ("/healthz", "/readyz"):
        response = assert_problem(client.post(path), 405)
        assert response["status"] == 405


def test_health_probes_ignore_the_host_header(client: Client) -> None:
    # Orchestrators probe the pod's IP, which ALLOWED_HOSTS does not list.
    assert client.get("/healthz", HTTP_HOST="10.1.2.3").status_code == 200


# --- schema and docs ---------------------------------------------------------------------------


@pytest.fixture
def schema(api_client: APIClient) -> dict[str, Any]:
    response = api_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    document: dict[str, Any] = json.loads(response.content)
    return document


def test_schema_is_openapi_3_and_public(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/me"} <= set(schema["paths"])


def test_schema_documents_problem_responses_everywhere(schema: dict[str, Any]) -> None:
    assert "Problem" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (path, method)
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (path, method, code)
    me = schema["paths"]["/api/v1/me"]["get"]["responses"]
    assert "401" in me
    login = schema["paths"]["/api/v1/auth/login"]["post"]
    assert "401" not in login["responses"] or login.get("security") == [{}]


def test_docs_render_without_any_cdn(client: Client) -> None:
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "assets must be served locally"


def test_staff_can_open_the_admin_for_users_and_profiles(user: User) -> None:
    admin = Client()
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    admin.force_login(user)

    for path in (
        "/admin/identity/user/",
        "/admin/identity/user/add/",
        f"/admin/identity/user/{user.pk}/change/",
        "/admin/identity/profile/",
        "/admin/identity/user/?q=ann",
    ):
        assert admin.get(path).status_code == 200, path
