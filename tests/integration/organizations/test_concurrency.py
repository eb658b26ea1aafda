"""The last-owner rule under real concurrency: two owners demoting (or removing) each other at
the same instant must never leave an organization without an owner.

Runs on both databases: PostgreSQL serializes the two changes with SELECT ... FOR UPDATE on the
owners' rows, SQLite with its IMMEDIATE write transactions. Without the row lock the test fails
on PostgreSQL (both demotions pass).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.organizations.models import Membership as MembershipRow
from adapters.organizations.models import Organization as OrganizationRow
from contexts.organizations.domain.errors import OwnerRequired
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
