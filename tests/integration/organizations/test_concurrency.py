"""Organizations' rules under real concurrency: two owners demoting (or removing) each other at
the same instant must never leave an organization without an owner; one invitation accepted
twice at once makes one membership; two invitations of one address leave one pending.

Runs on both databases: PostgreSQL serializes the two changes with SELECT ... FOR UPDATE on the
owners' rows, SQLite with its IMMEDIATE write transactions. Without the row lock the test fails
on PostgreSQL (both demotions pass).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.organizations.models import Invitation as InvitationRow
from adapters.organizations.models import Membership as MembershipRow
from adapters.organizations.models import Organization as OrganizationRow
from contexts.organizations.domain.errors import InvitationClosed, OwnerRequired
from kernel.actors import Actor, UserId
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role
from src import container as composition
from tests.concurrency import race
from tests.factories import make_user

ROUNDS = 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("action", ["demote", "remove"])
def test_two_owners_acting_on_each_other_leave_one_owner(action: str) -> None:
    service = composition.application.organizations.membership_service

    def act(actor_pk: int, target_pk: int, org_id: OrganizationId) -> Callable[[], object]:
        # Both start as owners; the service reads the actor's role again under the lock.
        actor = Actor(UserId(actor_pk), roles={org_id: Role.OWNER})
        target = UserId(target_pk)
        if action == "demote":
            return lambda: service().change_role(
                actor=actor, organization_id=org_id, user_id=target, role=Role.ADMIN
            )
        return lambda: service().remove(actor=actor, organization_id=org_id, user_id=target)

    for _ in range(ROUNDS):
        alice, bob = make_user(), make_user()
        org = OrganizationRow.objects.create(name="Race")
        for user in (alice, bob):
            MembershipRow.objects.create(organization=org, user=user, role="owner")
        org_id = OrganizationId(org.pk)

        results = race([act(alice.pk, bob.pk, org_id), act(bob.pk, alice.pk, org_id)])

        assert MembershipRow.objects.filter(organization=org, role="owner").count() == 1, results
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == 1, results
        # The loser is refused as no longer an owner, or (after a removal) no longer a member.
        assert isinstance(failures[0], (OwnerRequired, OrganizationNotFound)), results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_accepts_of_one_invitation_make_one_membership() -> None:
    """The invitation row is locked for the accept: the second accept waits for the first and
    then finds it used (400 invalid-token), never a second membership or a 500."""
    container = composition.application.organizations
    service, tokens = container.invitation_service, container.invitation_tokens()

    for _ in range(ROUNDS):
        owner, invitee = make_user(), make_user()
        org = OrganizationRow.objects.create(name="Race")
        MembershipRow.objects.create(organization=org, user=owner, role="owner")
        invitation = service().invite(
            actor=Actor(UserId(owner.pk), roles={OrganizationId(org.pk): Role.OWNER}),
            organization_id=OrganizationId(org.pk),
            email=invitee.email,
            role=Role.MEMBER,
        )
        token = tokens.issue(invitation.id)
        invitee_actor = Actor(UserId(invitee.pk))

        def accept(actor: Actor = invitee_actor, token: str = token) -> object:
            return service().accept(actor=actor, token=token)

        results = race([accept, accept])

        assert MembershipRow.objects.filter(organization=org, user=invitee).count() == 1
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], InvitationClosed), results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_invitations_of_one_address_at_once_leave_one_pending() -> None:
    """The partial unique index keeps one pending invitation per address; the loser of the
    race revokes the winner's and takes its place, it does not fail."""
    service = composition.application.organizations.invitation_service

    for _ in range(ROUNDS):
        owner = make_user()
        org = OrganizationRow.objects.create(name="Race")
        MembershipRow.objects.create(organization=org, user=owner, role="owner")
        actor = Actor(UserId(owner.pk), roles={OrganizationId(org.pk): Role.OWNER})

        def invite(role: Role, actor: Actor = actor, org_id: int = org.pk) -> object:
            return service().invite(
                actor=actor,
                organization_id=OrganizationId(org_id),
                email="twice@example.com",
                role=role,
            )

        results = race([lambda: invite(Role.MEMBER), lambda: invite(Role.ADMIN)])

        assert not [r for r in results if isinstance(r, BaseException)], results
        rows = InvitationRow.objects.filter(organization=org, email="twice@example.com")
        assert sorted(rows.values_list("status", flat=True)) == ["pending", "revoked"]
