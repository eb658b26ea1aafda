"""factory_boy factories for integration and API tests."""

from __future__ import annotations

from typing import Any

import factory

from adapters.identity.models import Profile, User

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]  # factory_boy is untyped
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password(DEFAULT_PASSWORD)
    profile = factory.RelatedFactory(
        "tests.factories.ProfileFactory", factory_related_name="user"
    )


class ProfileFactory(factory.django.DjangoModelFactory):  # type: ignore[misc]  # factory_boy is untyped
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, profile=None)
    name = factory.Faker("name")
    bio = ""


def make_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)
    return user
