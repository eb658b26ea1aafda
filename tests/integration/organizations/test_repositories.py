"""Organizations' repositories against the database: scoping, constraints, keyset pages; the
invitations' expiry job and tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from adapters.organizations.models import Invitation as InvitationRow
from adapters.organizations.models import Membership as MembershipRow
from adapters.organizations.models import Organization as OrganizationRow
from adapters.organizations.repositories import (
    DjangoInvitationRepository,
    DjangoMembershipRepository,
    DjangoOrganizationRepository,
)
from adapters.organizations.tasks import expire_invitations
from adapters.organizations.tokens import SALT, SignedInvitationTokens
from contexts.organizations.domain.errors import AlreadyMember
from contexts.organizations.domain.model import InvitationId, InvitationStatus, Membership
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


# --- invitations ---------------------------------------------------------------------------------


def _invitation(org: OrganizationId, email: str, *, expires_in: timedelta) -> InvitationRow:
    return InvitationRow.objects.create(
        organization_id=org, email=email, role="member", expires_at=timezone.now() + expires_in
    )


def test_one_pending_invitation_per_address_is_a_database_rule() -> None:
    org = _org()
    _invitation(org, "ann@example.com", expires_in=timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        _invitation(org, "ann@example.com", expires_in=timedelta(days=1))
    # Closed ones do not count, nor other organizations'.
    InvitationRow.objects.update(status="revoked")
    _invitation(org, "ann@example.com", expires_in=timedelta(days=1))
    _invitation(_org("Globex"), "ann@example.com", expires_in=timedelta(days=1))


def test_replacing_revokes_the_pending_invitation_of_the_address_only() -> None:
    org, inviter = _org(), UserId(make_user().pk)
    repository = DjangoInvitationRepository()
    expires_at = timezone.now() + timedelta(days=1)

    def invite(email: str) -> InvitationId:
        return repository.replace_pending(
            organization_id=org,
            email=email,
            role=Role.MEMBER,
            invited_by=inviter,
            expires_at=expires_at,
        ).id

    first, other, second = (
        invite("ann@example.com"),
        invite("bob@example.com"),
        invite("ann@example.com"),
    )

    assert dict(InvitationRow.objects.values_list("id", "status")) == {
        first: "revoked",
        other: "pending",
        second: "pending",
    }
    stored = repository.get(second)
    assert stored is not None
    assert (stored.email, stored.invited_by, stored.status) == (
        "ann@example.com",
        inviter,
        InvitationStatus.PENDING,
    )


def test_a_pending_invitation_is_found_only_in_its_organization() -> None:
    org, other = _org(), _org("Globex")
    invitation = InvitationId(_invitation(org, "ann@example.com", expires_in=timedelta(days=1)).pk)
    repository = DjangoInvitationRepository()

    assert repository.get_pending(org, invitation) is not None
    assert repository.get_pending(other, invitation) is None
    repository.set_status(invitation, InvitationStatus.REVOKED)
    assert repository.get_pending(org, invitation) is None


def test_the_expiry_job_marks_invitations_whose_time_is_up() -> None:
    org = _org()
    due = _invitation(org, "due@example.com", expires_in=-timedelta(seconds=1))
    live = _invitation(org, "live@example.com", expires_in=timedelta(days=1))

    assert expire_invitations() == 1

    assert InvitationRow.objects.get(pk=due.pk).status == "expired"
    assert InvitationRow.objects.get(pk=live.pk).status == "pending"
    assert expire_invitations() == 0


def test_invitation_tokens_name_their_invitation_and_nothing_else() -> None:
    tokens = SignedInvitationTokens()
    token = tokens.issue(InvitationId(42))

    assert tokens.read(token) == 42
    assert tokens.read(token + "x") is None
    assert tokens.read(token.replace(":", ";")) is None
    assert tokens.read("") is None
    # Another purpose's signature, over the same value, is not an invitation token.
    assert tokens.read(signing.dumps(42, salt="identity.something")) is None
    assert tokens.read(signing.dumps("42", salt=SALT)) is None
