"""GET and PATCH /api/v1/me: one's own account, with a mass-assignment guard."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from adapters.identity.models import User
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def test_anonymous_gets_401_with_a_challenge(api_client: APIClient) -> None:
    for response in (api_client.get(ME), api_client.patch(ME, {"name": "X"}, format="json")):
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Token"


def test_me_shows_exactly_my_public_fields(user_client: APIClient, user: User) -> None:
    response = user_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "name": "Ann",
        "bio": "Hello",
        "email_verified": False,
    }


def test_me_is_always_the_token_owner(user_client: APIClient, other_user: User) -> None:
    assert user_client.get(ME).json()["email"] == "ann@example.com"


def test_patch_changes_name_and_bio(user_client: APIClient, user: User) -> None:
    response = user_client.patch(ME, {"name": "Annie", "bio": ""}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "name": "Annie",
        "bio": "",
        "email_verified": False,
    }
    user.profile.refresh_from_db()
    assert (user.profile.name, user.profile.bio) == ("Annie", "")


def test_patch_with_one_field_keeps_the_other(user_client: APIClient) -> None:
    response = user_client.patch(ME, {"bio": "New bio"}, format="json")

    assert response.json()["name"] == "Ann"
    assert response.json()["bio"] == "New bio"


@pytest.mark.parametrize(
    "field_and_value",
    [
        ("id", 999),
        ("email", "evil@example.com"),
        ("is_staff", True),
        ("is_superuser", True),
        ("is_active", False),
        ("email_verified", True),
        ("password", "a new password 123"),
        ("organization", 1),
        ("nickname", "unknown field"),
    ],
)
def test_patch_rejects_any_field_but_name_and_bio_and_changes_nothing(
    user_client: APIClient, user: User, field_and_value: tuple[str, object]
) -> None:
    field, value = field_and_value

    response = user_client.patch(ME, {"name": "Changed", field: value}, format="json")

    body = assert_problem(response, 400, fields={field})
    assert "name, bio" in body["errors"][field][0]
    fresh = User.objects.select_related("profile").get(pk=user.pk)
    assert (fresh.email, fresh.is_staff, fresh.profile.name) == ("ann@example.com", False, "Ann")
    assert not fresh.email_verified
    assert fresh.check_password("correct horse battery staple")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": 7}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"bio": "x" * 1001}, "bio"),
        ({"bio": {"nested": "object"}}, "bio"),
        ({"bio": True}, "bio"),
    ],
)
def test_patch_validates_types_and_lengths(
    user_client: APIClient, payload: dict[str, object], field: str
) -> None:
    assert_problem(user_client.patch(ME, payload, format="json"), 400, fields={field})


def test_patch_with_malformed_json_is_a_400(user_client: APIClient) -> None:
    response = user_client.generic("PATCH", ME, b'{"name": "x"', content_type="application/json")  # type: ignore[arg-type]  # Django takes bytes; the stubs say str

    assert_problem(response, 400)


@pytest.mark.parametrize("method", ["put", "delete", "post"])
def test_other_methods_are_405_problems(user_client: APIClient, method: str) -> None:
    assert_problem(getattr(user_client, method)(ME), 405)
