"""Organizations' repositories against the database: scoping, constraints, keyset pages."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from adapters.organizations.models import Membership as MembershipRow
from adapters.organizations.models import Organization as OrganizationRow
from adapters.organizations.repositories import (
    DjangoMembershipRepository,
    DjangoOrganizationRepository,
)
from contexts.organizations.domain.errors import AlreadyMember
from contexts.organizations.domain.model import Membership
from kernel.actors import UserId
from kernel.pagination import PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _org(name: str = "Acme") -> OrganizationId:
    return OrganizationId(OrganizationRow.objects.create(name=name).pk)


def test_an_organization_is_reachable_only_through_a_membership() -> None:
    member, stranger = make_user(), make_user()
    org = _org()
    DjangoMembershipRepository().add(Membership(org, UserId(member.pk), Role.ADMIN))
    repository = DjangoOrganizationRepository()

    assert repository.get_for_member(org, UserId(member.pk)).role is Role.ADMIN
    with pytest.raises(OrganizationNotFound):
        repository.get_for_member(org, UserId(stranger.pk))
    with pytest.raises(OrganizationNotFound):
        repository.get_for_member(OrganizationId(org + 1000), UserId(member.pk))


def test_one_membership_per_user_and_organization() -> None:
    user, org = make_user(), _org()
    repository = DjangoMembershipRepository()
    repository.add(Membership(org, UserId(user.pk), Role.MEMBER))

    with pytest.raises(AlreadyMember):
        repository.add(Membership(org, UserId(user.pk), Role.ADMIN))

    assert MembershipRow.objects.get(user=user).role == "member"


def test_the_database_refuses_unknown_roles_and_blank_names() -> None:
    user, org = make_user(), _org()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipRow.objects.create(organization_id=org, user=user, role="emperor")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationRow.objects.create(name="")


def test_lock_for_change_returns_the_owners_and_the_named_users() -> None:
    owner, second_owner, admin, member = (make_user() for _ in range(4))
    org, other_org = _org(), _org("Other")
    repository = DjangoMembershipRepository()
    for user, role in (
        (owner, Role.OWNER),
        (second_owner, Role.OWNER),
        (admin, Role.ADMIN),
        (member, Role.MEMBER),
    ):
        repository.add(Membership(org, UserId(user.pk), role))
    repository.add(Membership(other_org, UserId(admin.pk), Role.OWNER))

    with transaction.atomic():
        locked = repository.lock_for_change(org, [UserId(admin.pk)])

    assert {(m.user_id, m.role) for m in locked} == {
        (owner.pk, Role.OWNER),
        (second_owner.pk, Role.OWNER),
        (admin.pk, Role.ADMIN),
    }


def test_member_pages_walk_forward_and_back_in_user_order() -> None:
    org = _org()
    users = [make_user() for _ in range(7)]
    repository = DjangoMembershipRepository()
    for user in users:
        repository.add(Membership(org, UserId(user.pk), Role.MEMBER))

    first = repository.list_page(org, PageRequest(size=3))
    second = repository.list_page(org, PageRequest(size=3, cursor=first.next_cursor))
    third = repository.list_page(org, PageRequest(size=3, cursor=second.next_cursor))
    back = repository.list_page(org, PageRequest(size=3, cursor=third.previous_cursor))

    ids = [u.pk for u in users]
    assert [m.user_id for m in first.items + second.items + third.items] == ids
    assert (first.previous_cursor, third.next_cursor) == (None, None)
    assert [m.user_id for m in back.items] == ids[3:6]
    assert back.previous_cursor is not None
    assert back.next_cursor is not None
