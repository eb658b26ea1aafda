"""CORS (django-cors-headers): off by default, on for the origins CORS_ALLOWED_ORIGINS lists,
only under /api/; a wildcard origin with credentials fails ``check --deploy`` (bastion.E008)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from adapters.platform.checks import deploy
from tests.servers import production_settings

CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
FRONTEND = "https://app.example.com"


def _production_settings(**env: str) -> dict[str, object]:
    return production_settings(
        "INSTALLED_APPS",
        "MIDDLEWARE",
        "CORS_ALLOWED_ORIGINS",
        "CORS_ALLOW_ALL_ORIGINS",
        "CORS_ALLOW_CREDENTIALS",
        **env,
    )


@pytest.mark.slow
def test_cors_is_not_installed_unless_origins_are_named() -> None:
    off = _production_settings()
    on = _production_settings(CORS_ALLOWED_ORIGINS=f"{FRONTEND},https://admin.example.com")

    assert CORS_MIDDLEWARE not in str(off["MIDDLEWARE"])
    assert "corsheaders" not in str(off["INSTALLED_APPS"])
    middleware = on["MIDDLEWARE"]
    assert isinstance(middleware, list)
    assert middleware.index(CORS_MIDDLEWARE) < middleware.index(
        "django.middleware.common.CommonMiddleware"
    )
    assert on["CORS_ALLOWED_ORIGINS"] == [FRONTEND, "https://admin.example.com"]
    assert on["CORS_ALLOW_ALL_ORIGINS"] is False
    wildcard = _production_settings(CORS_ALLOWED_ORIGINS="*")
    assert (wildcard["CORS_ALLOWED_ORIGINS"], wildcard["CORS_ALLOW_ALL_ORIGINS"]) == ([], True)


def _with_cors(**overrides: object) -> override_settings:
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(1, CORS_MIDDLEWARE)
    return override_settings(MIDDLEWARE=middleware, CORS_ALLOWED_ORIGINS=[FRONTEND], **overrides)


def _preflight(client: Client, path: str, origin: str) -> dict[str, str]:
    response = client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, idempotency-key",
    )
    assert response.status_code == 200
    return {name.lower(): value for name, value in response.headers.items()}


def test_a_listed_origin_may_call_the_api_with_a_token_and_an_idempotency_key(
    client: Client,
) -> None:
    with _with_cors():
        headers = _preflight(client, "/api/v1/orgs/1/invoices/1/pay", FRONTEND)
        answer = client.get("/api/v1/me", HTTP_ORIGIN=FRONTEND)

    assert headers["access-control-allow-origin"] == FRONTEND
    allowed = headers["access-control-allow-headers"].split(", ")
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed)
    assert "access-control-allow-credentials" not in headers
    assert answer.status_code == 401  # CORS decides what the browser reads, not who may call
    assert answer.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "x-request-id" in answer.headers["Access-Control-Expose-Headers"].lower()


def test_other_origins_and_paths_outside_the_api_get_no_cors_headers(client: Client) -> None:
    with _with_cors():
        elsewhere = _preflight(client, "/api/v1/me", "https://evil.example.net")
        admin = client.get("/admin/login/", HTTP_ORIGIN=FRONTEND)

    assert "access-control-allow-origin" not in elsewhere
    assert "Access-Control-Allow-Origin" not in admin.headers


def test_without_the_setting_no_response_carries_cors_headers(client: Client) -> None:
    response = client.get("/api/v1/me", HTTP_ORIGIN=FRONTEND)

    assert not [name for name in response.headers if name.lower().startswith("access-control")]


@pytest.mark.parametrize(
    ("allow_all", "credentials", "ids"),
    [(True, True, ["bastion.E008"]), (True, False, []), (False, True, []), (False, False, [])],
)
def test_any_origin_with_credentials_fails_the_deploy_check(
    allow_all: bool, credentials: bool, ids: list[str]
) -> None:
    with override_settings(CORS_ALLOW_ALL_ORIGINS=allow_all, CORS_ALLOW_CREDENTIALS=credentials):
        found = deploy.cors_does_not_pair_any_origin_with_credentials()

    assert [message.id for message in found] == ids
