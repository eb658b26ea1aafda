"""Passwords and email verification over HTTP: reset by email, change, verify, resend.

Emails go out from the outbox's handlers after the commit: ``deliver`` runs the commit hooks
that the test's transaction holds back (in-process delivery, no broker), and Django's locmem
backend keeps what was sent in ``mail.outbox``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from adapters.identity import security
from adapters.identity.models import User
from adapters.platform.outbox.models import OutboxMessage
from tests.api.helpers import Deliver, assert_problem, problem_type, token_in
from tests.conftest import client_for, login
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
VERIFY = "/api/v1/auth/verify-email"
CHANGE = "/api/v1/me/password"
RESEND = "/api/v1/me/verification-email"
REGISTER = "/api/v1/auth/register"
ME = "/api/v1/me"
NEW_PASSWORD = "a brand new passphrase"
INVALID_TOKEN = problem_type("invalid-token")


def reset_token_for(client: APIClient, deliver: Deliver, email: str) -> str:
    mail.outbox.clear()
    with deliver():
        assert client.post(RESET, {"email": email}, format="json").status_code == 202
    [message] = mail.outbox
    return token_in(message, "/reset-password")


@contextmanager
def later(seconds: int) -> Iterator[None]:
    """Token checks run ``seconds`` from now."""
    moment = security._PasswordResetTokens()._now() + timedelta(seconds=seconds)
    with patch.object(security._StateBoundTokens, "_now", lambda _self: moment):
        yield


def with_rates(**rates: str) -> Any:
    merged = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}
    )


# --- asking for a reset ------------------------------------------------------------------------

# Headers that differ between any two responses, whatever they answer.
PER_RESPONSE_HEADERS = {"x-request-id", "date"}


def comparable(response: Any) -> tuple[int, bytes, dict[str, str]]:
    headers = {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower() not in PER_RESPONSE_HEADERS
    }
    return response.status_code, response.content, headers


def test_a_reset_request_answers_the_same_whether_or_not_the_account_exists(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    with deliver():
        known = api_client.post(RESET, {"email": user.email}, format="json")
    with deliver():
        unknown = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")

    assert known.status_code == 202
    assert known.content == b""
    assert comparable(known) == comparable(unknown)
    # Only the existing account is written to.
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_the_reset_email_names_the_account_and_holds_one_link(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    token = reset_token_for(api_client, deliver, "ANN@example.com")

    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "password" in message.subject.lower()
    assert "Ann" in message.body
    assert "ann@example.com" in message.body
    assert DEFAULT_PASSWORD not in message.body
    assert len(token) > 30
    # Nothing stored holds the token: the outbox row carries the account's id only.
    [row] = OutboxMessage.objects.all()
    assert (row.name, row.payload) == ("identity.password_reset_requested", {"user_id": user.pk})


def test_an_inactive_account_gets_no_reset_email(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)
    with deliver():
        response = api_client.post(RESET, {"email": user.email}, format="json")

    assert response.status_code == 202
    assert mail.outbox == []


@pytest.mark.parametrize(
    "body", [{}, {"email": "not an email"}, {"email": 42}, {"email": "a@b.co", "extra": 1}]
)
def test_a_reset_request_takes_exactly_an_email(api_client: APIClient, body: object) -> None:
    response = api_client.post(RESET, body, format="json")

    assert_problem(response, 400)
    assert mail.outbox == []


def test_reset_requests_are_throttled_per_email_whoever_asks(user: User, deliver: Deliver) -> None:
    with with_rates(password_reset_email="2/hour"):
        for address in ("10.0.0.1", "10.0.0.2"):
            client = APIClient(REMOTE_ADDR=address)
            assert client.post(RESET, {"email": user.email}, format="json").status_code == 202
        third = APIClient(REMOTE_ADDR="10.0.0.3").post(
            RESET, {"email": "ANN@example.com"}, format="json"
        )
        # An unknown email is counted the same: the throttle tells nothing about accounts.
        for _ in range(2):
            APIClient(REMOTE_ADDR="10.0.0.4").post(
                RESET, {"email": "nobody@example.com"}, format="json"
            )
        unknown = APIClient(REMOTE_ADDR="10.0.0.5").post(
            RESET, {"email": "nobody@example.com"}, format="json"
        )
        other_email = APIClient(REMOTE_ADDR="10.0.0.3").post(
            RESET, {"email": "bob@example.com"}, format="json"
        )

    for response in (third, unknown):
        assert_problem(response, 429)
        assert int(response["Retry-After"]) > 0
    assert other_email.status_code == 202


def test_reset_requests_are_throttled_per_client(api_client: APIClient) -> None:
    with with_rates(password_reset="2/hour"):
        for index in range(2):
            email = f"someone{index}@example.com"
            assert api_client.post(RESET, {"email": email}, format="json").status_code == 202
        response = api_client.post(RESET, {"email": "another@example.com"}, format="json")

    assert_problem(response, 429)


# --- confirming a reset ------------------------------------------------------------------------


def test_the_emailed_token_sets_the_password_and_revokes_every_token(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    signed_in = client_for(user)
    token = reset_token_for(api_client, deliver, user.email)

    response = api_client.post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert response.status_code == 204
    assert response.content == b""
    assert not AuthToken.objects.filter(user=user).exists()
    assert_problem(signed_in.get(ME), 401)
    assert login(APIClient(), user.email, NEW_PASSWORD)
    user.refresh_from_db()
    assert user.email_verified  # the link reached the address


def test_a_reset_token_works_once(api_client: APIClient, user: User, deliver: Deliver) -> None:
    token = reset_token_for(api_client, deliver, user.email)
    api_client.post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    again = api_client.post(
        CONFIRM, {"token": token, "password": "one more new passphrase"}, format="json"
    )

    assert assert_problem(again, 400)["type"] == INVALID_TOKEN
    assert login(APIClient(), user.email, NEW_PASSWORD)


def test_a_login_after_the_request_kills_the_reset_token(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    token = reset_token_for(api_client, deliver, user.email)
    login(APIClient(), user.email)

    response = api_client.post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert assert_problem(response, 400)["type"] == INVALID_TOKEN


def test_bad_used_and_expired_tokens_get_one_body(
    api_client: APIClient, user: User, other_user: User, deliver: Deliver
) -> None:
    used = reset_token_for(api_client, deliver, user.email)
    api_client.post(CONFIRM, {"token": used, "password": NEW_PASSWORD}, format="json")
    expiring = reset_token_for(api_client, deliver, other_user.email)
    uid, _, secret = expiring.partition(".")
    own_uid = used.partition(".")[0]

    answers = [
        api_client.post(CONFIRM, {"token": used, "password": NEW_PASSWORD}, format="json"),
        *(
            api_client.post(CONFIRM, {"token": bad, "password": NEW_PASSWORD}, format="json")
            for bad in ("garbage", "", f"{own_uid}.{secret}", f"{uid}.1-abc", "%%%.x", "MA.x")
        ),
    ]
    with later(settings.PASSWORD_RESET_TIMEOUT + 1):
        answers.append(
            api_client.post(CONFIRM, {"token": expiring, "password": NEW_PASSWORD}, format="json")
        )

    bodies = [response.content for response in answers if response.status_code == 400]
    blank = answers[2]  # "" fails the input validation (a required field), not the token
    assert_problem(blank, 400, fields={"token"})
    others = [response for response in answers if response is not blank]
    for response in others:
        assert assert_problem(response, 400)["type"] == INVALID_TOKEN
    assert len({response.content for response in others}) == 1
    assert bodies
    # Just before expiry, the token still works.
    with later(settings.PASSWORD_RESET_TIMEOUT - 5):
        ok = api_client.post(CONFIRM, {"token": expiring, "password": NEW_PASSWORD}, format="json")
    assert ok.status_code == 204


def test_the_new_password_must_pass_the_validators(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    token = reset_token_for(api_client, deliver, user.email)

    for weak in ("password123", "12345678901", "ann@example.com"):
        response = api_client.post(CONFIRM, {"token": token, "password": weak}, format="json")
        assert_problem(response, 400, fields={"password"})
    # Nothing changed, so the token still works.
    response = api_client.post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")
    assert response.status_code == 204


def test_a_verification_token_does_not_reset_a_password(
    api_client: APIClient, deliver: Deliver
) -> None:
    token = registration_token(api_client, deliver)

    response = api_client.post(CONFIRM, {"token": token, "password": NEW_PASSWORD}, format="json")

    assert assert_problem(response, 400)["type"] == INVALID_TOKEN


@pytest.mark.parametrize("extra", [{"email": "ann@example.com"}, {"user_id": 1}])
def test_confirm_takes_exactly_a_token_and_a_password(
    api_client: APIClient, extra: dict[str, object]
) -> None:
    body = {"token": "x.y", "password": NEW_PASSWORD, **extra}

    assert_problem(api_client.post(CONFIRM, body, format="json"), 400, fields=set(extra))


# --- changing one's password -------------------------------------------------------------------


def test_anonymous_calls_to_my_endpoints_get_401(api_client: APIClient) -> None:
    for path, body in (
        (CHANGE, {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}),
        (RESEND, None),
    ):
        response = api_client.post(path, body, format="json")
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Token"


def test_changing_my_password_keeps_only_the_calling_token(user: User) -> None:
    calling, other = client_for(user), client_for(user)
    someone_else = make_user(email="carl@example.com")
    bystander = client_for(someone_else)

    response = calling.post(
        CHANGE,
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 204
    assert calling.get(ME).status_code == 200
    assert_problem(other.get(ME), 401)
    assert bystander.get(ME).status_code == 200
    assert AuthToken.objects.filter(user=user).count() == 1
    assert login(APIClient(), user.email, NEW_PASSWORD)


def test_a_wrong_current_password_is_a_400_on_that_field(user: User) -> None:
    client = client_for(user)

    response = client.post(
        CHANGE, {"current_password": "not it", "new_password": NEW_PASSWORD}, format="json"
    )

    assert_problem(response, 400, fields={"current_password"})
    assert login(APIClient(), user.email)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_current_passwords_count_towards_the_login_lock_out(user: User) -> None:
    client = client_for(user)
    body = {"current_password": "not it", "new_password": NEW_PASSWORD}
    for _ in range(2):
        assert_problem(client.post(CHANGE, body, format="json"), 400)

    locking = client.post(CHANGE, body, format="json")
    right = client.post(
        CHANGE, {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    logging_in = APIClient().post(
        "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    for response in (locking, right, logging_in):
        assert_problem(response, 429)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_the_new_password_is_validated_against_my_account(user: User) -> None:
    client = client_for(user)
    for weak in ("short", "password123", "ann@example.com!"):
        response = client.post(
            CHANGE, {"current_password": DEFAULT_PASSWORD, "new_password": weak}, format="json"
        )
        assert_problem(response, 400, fields={"new_password"} if weak == "short" else None)
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize("extra", [{"email": "x@example.com"}, {"token": "t"}])
def test_change_takes_exactly_the_two_passwords(user: User, extra: dict[str, object]) -> None:
    body = {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, **extra}

    assert_problem(client_for(user).post(CHANGE, body, format="json"), 400, fields=set(extra))


# --- verifying one's email ---------------------------------------------------------------------


def registration_token(
    api_client: APIClient, deliver: Deliver, email: str = "new@example.com"
) -> str:
    mail.outbox.clear()
    with deliver():
        response = api_client.post(
            REGISTER, {"email": email, "password": DEFAULT_PASSWORD, "name": "Nina"}, format="json"
        )
    assert response.status_code == 201, response.content
    [message] = mail.outbox
    assert message.to == [email]
    assert "Nina" in message.body
    return token_in(message, "/verify-email")


def test_registration_sends_a_verification_link_that_verifies_once(
    api_client: APIClient, deliver: Deliver
) -> None:
    token = registration_token(api_client, deliver)
    assert not User.objects.get(email="new@example.com").email_verified

    response = api_client.post(VERIFY, {"token": token}, format="json")
    again = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 204
    assert User.objects.get(email="new@example.com").email_verified
    assert assert_problem(again, 400)["type"] == INVALID_TOKEN
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {login(client, 'new@example.com')}")
    assert client.get(ME).json()["email_verified"] is True


def test_a_login_does_not_kill_the_verification_link(
    api_client: APIClient, deliver: Deliver
) -> None:
    token = registration_token(api_client, deliver)
    login(APIClient(), "new@example.com")

    assert api_client.post(VERIFY, {"token": token}, format="json").status_code == 204


def test_bad_and_expired_verification_tokens_are_refused(
    api_client: APIClient, user: User, deliver: Deliver
) -> None:
    token = registration_token(api_client, deliver)
    reset = reset_token_for(api_client, deliver, user.email)

    with later(settings.EMAIL_VERIFICATION_TIMEOUT + 1):
        expired = api_client.post(VERIFY, {"token": token}, format="json")
    answers = [
        expired,
        api_client.post(VERIFY, {"token": reset}, format="json"),
        api_client.post(VERIFY, {"token": "garbage"}, format="json"),
        api_client.post(VERIFY, {"token": token + "x"}, format="json"),
    ]

    for response in answers:
        assert assert_problem(response, 400)["type"] == INVALID_TOKEN
    assert len({response.content for response in answers}) == 1
    assert not User.objects.filter(email_verified=True).exists()


def test_verify_takes_exactly_a_token(api_client: APIClient) -> None:
    response = api_client.post(VERIFY, {"token": "x.y", "email": "a@b.co"}, format="json")

    assert_problem(response, 400, fields={"email"})


def test_asking_for_a_new_verification_email(user: User, deliver: Deliver) -> None:
    client = client_for(user)
    with deliver():
        response = client.post(RESEND)

    assert response.status_code == 202
    assert response.content == b""
    [message] = mail.outbox
    assert message.to == [user.email]
    token = token_in(message, "/verify-email")
    assert APIClient().post(VERIFY, {"token": token}, format="json").status_code == 204

    mail.outbox.clear()
    with deliver():
        assert client.post(RESEND).status_code == 202
    assert mail.outbox == []  # verified already: nothing to send


def test_the_resend_takes_no_body(user: User) -> None:
    response = client_for(user).post(RESEND, {"email": "x@example.com"}, format="json")

    assert_problem(response, 400, fields={"email"})


def test_asking_for_verification_emails_is_throttled_per_user(user: User) -> None:
    client = client_for(user)
    with with_rates(verification_email="2/hour"):
        for _ in range(2):
            assert client.post(RESEND).status_code == 202
        throttled = client.post(RESEND)
        other = client_for(make_user(email="carl@example.com")).post(RESEND)

    assert_problem(throttled, 429)
    assert other.status_code == 202
