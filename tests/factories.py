"""factory_boy factories for integration and API tests."""

from __future__ import annotations

from typing import Any

from factory.declarations import RelatedFactory, Sequence, SubFactory
from factory.django import DjangoModelFactory, Password
from factory.faker import Faker

from adapters.identity.models import Profile, User
from adapters.organizations.models import Membership, Organization

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = Sequence(lambda n: f"user{n}@example.com")
    password = Password(DEFAULT_PASSWORD)
    profile = RelatedFactory("tests.factories.ProfileFactory", factory_related_name="user")


class ProfileFactory(DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    user = SubFactory(UserFactory, profile=None)
    name = Faker("name")
    bio = ""


def make_user(**fields: Any) -> User:
    return UserFactory.create(**fields)


def make_organization(name: str, **members: User) -> Organization:
    """An organization with the given members by role: ``make_organization("Acme", owner=u)``.
    Made with the ORM, so no OrganizationCreated event fires (billing opens no account)."""
    organization = Organization.objects.create(name=name)
    for role, user in members.items():
        Membership.objects.create(organization=organization, user=user, role=role)
    return organization
