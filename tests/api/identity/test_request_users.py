"""One query per authenticated GET /me: the request works with the user its authentication
loaded (a request-scoped identity map, adapters/identity/repositories.py), and that map
never outlives its request or a write."""

from __future__ import annotations

import pytest
from django.db import transaction
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from adapters.identity import repositories
from adapters.identity.models import Profile
from adapters.identity.repositories import DjangoUserRepository
from kernel.actors import UserId
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_get_me_is_one_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    user = make_user(profile__name="Ada", profile__bio="Engines.")
    client = client_for(user)

    with django_assert_num_queries(1):  # the token, its user and the profile, joined
        response = client.get("/api/v1/me")

    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "name": "Ada",
        "bio": "Engines.",
        "email_verified": False,
    }


def test_patch_me_writes_without_reading_the_user_again(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_for(make_user())

    # The token query, then the update in its savepoint (begin, UPDATE, release).
    with django_assert_num_queries(4):
        response = client.patch("/api/v1/me", {"bio": "Changed."}, format="json")

    assert response.json()["bio"] == "Changed."
    assert client.get("/api/v1/me").json()["bio"] == "Changed."


def test_the_map_is_empty_once_a_request_is_over() -> None:
    client_for(make_user()).get("/api/v1/me")

    assert repositories._request_users.get() is None


def test_each_request_reads_its_own_user_fresh() -> None:
    """A change made elsewhere (another process, the admin) shows on the very next request."""
    user = make_user(profile__name="Before")
    client = client_for(user)
    assert client.get("/api/v1/me").json()["name"] == "Before"

    Profile.objects.filter(user=user).update(name="After")

    assert client.get("/api/v1/me").json()["name"] == "After"


def test_another_users_request_never_sees_the_previous_user() -> None:
    first, second = make_user(), make_user()
    assert client_for(first).get("/api/v1/me").json()["id"] == first.pk

    assert client_for(second).get("/api/v1/me").json()["id"] == second.pk
    assert APIClient().get("/api/v1/me").status_code == 401


def test_a_write_is_what_the_request_reads_next() -> None:
    user = make_user(profile__name="Before", email_verified=False)
    repository = DjangoUserRepository()
    repositories.remember_for_request(repository.get(UserId(user.pk)))

    changed = repository.get(UserId(user.pk))
    changed.update_profile(name="After")
    repository.save_profile(changed)
    assert repository.get(UserId(user.pk)).profile.name == "After"

    repositories.remember_for_request(repository.get(UserId(user.pk)))
    repository.mark_email_verified(UserId(user.pk))
    assert repository.get(UserId(user.pk)).email_verified


def test_a_rolled_back_write_leaves_the_request_the_stored_profile() -> None:
    user = make_user(profile__name="Stored")
    client_for(user).get("/api/v1/me")  # nothing remembered after it; remember by hand:
    repository = DjangoUserRepository()
    repositories.remember_for_request(repository.get(UserId(user.pk)))

    with transaction.atomic():
        changed = repository.get(UserId(user.pk))
        changed.update_profile(name="Rolled back")
        repository.save_profile(changed)
        transaction.set_rollback(True)

    assert repository.get(UserId(user.pk)).profile.name == "Stored"


def test_a_caller_changing_its_user_does_not_change_the_requests() -> None:
    user = make_user(profile__name="Kept")
    repository = DjangoUserRepository()
    repositories.remember_for_request(repository.get(UserId(user.pk)))

    repository.get(UserId(user.pk)).update_profile(name="Not saved")

    assert repository.get(UserId(user.pk)).profile.name == "Kept"
