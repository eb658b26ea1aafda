"""Identity's repositories and unit of work against the real database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from pytest_django import DjangoAssertNumQueries

from adapters.identity.models import Profile, User
from adapters.identity.repositories import DjangoIdentityUnitOfWork, DjangoUserRepository
from contexts.identity.domain.errors import EmailAlreadyRegistered, UserNotFound
from contexts.identity.domain.model import Profile as ProfileValue
from kernel.actors import UserId
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_add_stores_the_user_and_profile_together() -> None:
    repository = DjangoUserRepository()

    user = repository.add(
        email="ann@example.com", password_hash="x", profile=ProfileValue(name="Ann", bio="Hi")
    )

    row = User.objects.select_related("profile").get(pk=user.id)
    assert (row.email, row.profile.name, row.profile.bio) == ("ann@example.com", "Ann", "Hi")


def test_add_maps_the_unique_constraint_to_a_domain_error_and_writes_nothing() -> None:
    make_user(email="ann@example.com")
    repository = DjangoUserRepository()

    with pytest.raises(EmailAlreadyRegistered):
        repository.add(email="ann@example.com", password_hash="x", profile=ProfileValue(name="A"))

    assert User.objects.count() == 1
    assert Profile.objects.count() == 1


def test_get_reads_user_and_profile_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    stored = make_user(email="ann@example.com", profile__name="Ann")

    with django_assert_num_queries(1):
        user = DjangoUserRepository().get(UserId(stored.pk))

    assert (user.email, user.profile.name) == ("ann@example.com", "Ann")


def test_get_ignores_deactivated_users() -> None:
    stored = make_user(is_active=False)

    with pytest.raises(UserNotFound):
        DjangoUserRepository().get(UserId(stored.pk))


def test_list_by_ids_fetches_many_users_in_one_query(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    ids = [UserId(make_user().pk) for _ in range(5)]

    with django_assert_num_queries(1):
        users = DjangoUserRepository().list_by_ids(ids)

    assert sorted(user.id for user in users) == sorted(ids)


def test_unit_of_work_rolls_back_unless_committed() -> None:
    stored = make_user(profile__name="Ann")
    repository_user = DjangoUserRepository().get(UserId(stored.pk))
    repository_user.update_profile(name="Changed")

    with DjangoIdentityUnitOfWork() as uow:
        uow.users.save_profile(repository_user)

    assert Profile.objects.get(user=stored).name == "Ann"

    with DjangoIdentityUnitOfWork() as uow:
        uow.users.save_profile(repository_user)
        uow.commit()

    assert Profile.objects.get(user=stored).name == "Changed"


def test_unit_of_work_rolls_back_on_error() -> None:
    stored = make_user(profile__name="Ann")
    user = DjangoUserRepository().get(UserId(stored.pk))
    user.update_profile(name="Changed")

    def change_then_fail() -> None:
        with DjangoIdentityUnitOfWork() as uow:
            uow.users.save_profile(user)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert Profile.objects.get(user=stored).name == "Ann"
    assert not transaction.get_connection().needs_rollback


def test_the_database_refuses_a_second_account_differing_only_in_case() -> None:
    make_user(email="ann@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANN@example.com")
