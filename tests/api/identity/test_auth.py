"""POST /api/v1/auth/register, /auth/login, /auth/logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from adapters.identity.models import User
from tests.api.helpers import assert_problem
from tests.conftest import login
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
STRONG = "a long and unusual passphrase"


# --- register ----------------------------------------------------------------------------------


def test_register_creates_an_account_and_returns_only_public_fields(api_client: APIClient) -> None:
    response = api_client.post(
        REGISTER, {"email": "New@Example.com", "password": STRONG, "name": "New"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {"id": body["id"], "email": "new@example.com", "name": "New"}
    assert User.objects.get(pk=body["id"]).check_password(STRONG)


def test_register_then_login_then_me(api_client: APIClient) -> None:
    api_client.post(
        REGISTER, {"email": "new@example.com", "password": STRONG, "name": "New"}, format="json"
    )
    token = login(api_client, "new@example.com", STRONG)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api_client.get("/api/v1/me").json()["name"] == "New"


def test_register_a_taken_email_is_a_conflict(api_client: APIClient, user: User) -> None:
    response = api_client.post(
        REGISTER, {"email": "ANN@example.com", "password": STRONG, "name": "Ann 2"}, format="json"
    )

    assert_problem(response, 409)
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "too short"), ("password123", "too common"), ("12345678901", "entirely numeric")],
)
def test_register_applies_the_password_validators(
    api_client: APIClient, password: str, reason: str
) -> None:
    response = api_client.post(
        REGISTER, {"email": "new@example.com", "password": password, "name": "N"}, format="json"
    )

    body = assert_problem(response, 400, fields={"password"})
    assert any(reason in message for message in body["errors"]["password"])
    assert not User.objects.exists()


def test_register_rejects_a_password_like_the_email(api_client: APIClient) -> None:
    response = api_client.post(
        REGISTER,
        {"email": "zebrafish@example.com", "password": "zebrafish@example", "name": "Z"},
        format="json",
    )

    assert_problem(response, 400, fields={"password"})


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"password": STRONG, "name": "N"}, {"email"}),
        ({"email": "not-an-email", "password": STRONG, "name": "N"}, {"email"}),
        ({"email": 42, "password": STRONG, "name": "N"}, {"email"}),
        ({"email": "n@example.com", "password": 12345678, "name": "N"}, {"password"}),
        ({"email": "n@example.com", "password": STRONG, "name": ["N"]}, {"name"}),
        ({"email": "n@example.com", "password": STRONG, "name": ""}, {"name"}),
        ({"email": "n@example.com", "password": STRONG, "name": "x" * 151}, {"name"}),
        ({"email": "n@example.com", "password": "x" * 129, "name": "N"}, {"password"}),
        (
            {"email": "n@example.com", "password": STRONG, "name": "N", "is_staff": True},
            {"is_staff"},
        ),
        ({"email": "n@example.com", "password": STRONG, "name": "N", "id": 1}, {"id"}),
    ],
)
def test_register_rejects_invalid_input_naming_the_field(
    api_client: APIClient, payload: dict[str, object], fields: set[str]
) -> None:
    response = api_client.post(REGISTER, payload, format="json")

    assert_problem(response, 400, fields=fields)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"email": ', "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"email=a@b.c&password=x&name=n", "application/x-www-form-urlencoded", 415),
        (b"<xml/>", "text/xml", 415),
    ],
)
def test_register_rejects_malformed_bodies(
    api_client: APIClient, body: bytes, content_type: str, status: int
) -> None:
    # Django's test client takes bytes bodies; the stubs say str.
    response = api_client.generic("POST", REGISTER, body, content_type=content_type)  # type: ignore[arg-type]  # bytes body

    assert_problem(response, status)


def test_an_html_accept_header_still_gets_json(api_client: APIClient) -> None:
    response = api_client.post(REGISTER, {}, format="json", HTTP_ACCEPT="text/html")

    assert_problem(response, 400)


# --- login -------------------------------------------------------------------------------------


def test_login_returns_a_token_and_its_expiry(api_client: APIClient, user: User) -> None:
    response = api_client.post(
        LOGIN, {"email": "ANN@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    stored = AuthToken.objects.get(user=user)
    assert stored.digest != body["token"], "tokens are stored hashed"
    assert stored.expiry > timezone.now() + timedelta(hours=9)


def test_wrong_password_and_unknown_email_get_byte_identical_401s(
    api_client: APIClient, user: User
) -> None:
    wrong_password = api_client.post(
        LOGIN, {"email": user.email, "password": "wrong password"}, format="json"
    )
    unknown_email = api_client.post(
        LOGIN, {"email": "nobody@example.com", "password": "wrong password"}, format="json"
    )

    assert_problem(wrong_password, 401)
    assert wrong_password.content == unknown_email.content
    assert wrong_password["WWW-Authenticate"] == unknown_email["WWW-Authenticate"]


def test_an_inactive_user_cannot_log_in(api_client: APIClient, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = api_client.post(
        LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert_problem(response, 401)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_email_out_even_for_the_right_password(
    api_client: APIClient, user: User, other_user: User
) -> None:
    for _ in range(2):
        assert_problem(
            api_client.post(LOGIN, {"email": user.email, "password": "nope"}, format="json"), 401
        )
    locking = api_client.post(LOGIN, {"email": user.email, "password": "nope"}, format="json")
    correct = api_client.post(
        LOGIN, {"email": user.email.upper(), "password": DEFAULT_PASSWORD}, format="json"
    )

    for response in (locking, correct):
        assert_problem(response, 429)
        assert int(response["Retry-After"]) > 0
    assert not AuthToken.objects.filter(user=user).exists()
    # Another email from the same client is not affected.
    assert login(api_client, other_user.email)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_successful_login_resets_the_failure_count(api_client: APIClient, user: User) -> None:
    for _ in range(2):
        api_client.post(LOGIN, {"email": user.email, "password": "nope"}, format="json")
    login(api_client, user.email)
    for _ in range(2):
        api_client.post(LOGIN, {"email": user.email, "password": "nope"}, format="json")

    assert login(api_client, user.email)


def test_credential_endpoints_are_throttled_per_client(api_client: APIClient, user: User) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/minute"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        _two_failed_logins_then_a_third(api_client, user)


def _two_failed_logins_then_a_third(api_client: APIClient, user: User) -> None:
    for _ in range(2):
        api_client.post(LOGIN, {"email": "x@example.com", "password": "nope"}, format="json")

    response = api_client.post(LOGIN, {"email": user.email, "password": "p"}, format="json")

    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    "payload",
    [{}, {"email": "a@b.co"}, {"email": 1, "password": "x"}, {"email": "a@b.co", "password": None}],
)
def test_login_rejects_invalid_input(api_client: APIClient, payload: dict[str, object]) -> None:
    assert_problem(api_client.post(LOGIN, payload, format="json"), 400)


# --- tokens and logout -------------------------------------------------------------------------


def test_logout_revokes_only_the_token_in_use(api_client: APIClient, user: User) -> None:
    first, second = login(api_client, user.email), login(api_client, user.email)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")

    assert api_client.post(LOGOUT).status_code == 204

    assert_problem(api_client.get("/api/v1/me"), 401)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second}")
    assert api_client.get("/api/v1/me").status_code == 200


def test_logout_needs_a_token(api_client: APIClient) -> None:
    response = api_client.post(LOGOUT)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_an_expired_token_is_refused(api_client: APIClient, user: User) -> None:
    token = login(api_client, user.email)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert_problem(api_client.get("/api/v1/me"), 401)


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token not-a-real-token", "Bearer " + "0" * 64]
)
def test_malformed_or_unknown_tokens_are_401(
    api_client: APIClient, user: User, header: str
) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=header)

    assert_problem(api_client.get("/api/v1/me"), 401)


@override_settings(REST_KNOX={"TOKEN_TTL": timedelta(hours=1), "TOKEN_LIMIT_PER_USER": 2})
def test_the_oldest_tokens_make_way_beyond_the_per_user_limit(
    api_client: APIClient, user: User
) -> None:
    tokens = [login(api_client, user.email) for _ in range(3)]

    assert AuthToken.objects.filter(user=user).count() == 2
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert_problem(api_client.get("/api/v1/me"), 401)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[2]}")
    assert api_client.get("/api/v1/me").status_code == 200


def test_a_forged_x_forwarded_for_does_not_dodge_the_throttle(
    api_client: APIClient, user: User
) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "2/minute"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        statuses = [
            api_client.post(
                LOGIN,
                {"email": "x@example.com", "password": "nope"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
            ).status_code
            for attempt in range(4)
        ]

    assert statuses == [401, 401, 429, 429]


def test_api_logins_open_no_session(api_client: APIClient, user: User) -> None:
    from django.contrib.sessions.models import Session

    response = api_client.post(
        LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    api_client.post(LOGIN, {"email": user.email, "password": "wrong"}, format="json")

    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
