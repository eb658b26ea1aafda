"""The last-owner rule under real concurrency: two owners demoting (or removing) each other at
the same instant must never leave an organization without an owner.

Runs on both databases: PostgreSQL serializes the two changes with SELECT ... FOR UPDATE on the
owners' rows, SQLite with its IMMEDIATE write transactions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from adapters.organizations.models import Membership as MembershipRow
from adapters.organizations.models import Organization as OrganizationRow
from contexts.organizations.domain.errors import OrganizationsError
from contexts.organizations.domain.model import OrganizationId
from kernel.tenancy import Role
from src import container as composition
from tests.factories import make_user

ROUNDS = 10


def _race(*calls: Callable[[], None]) -> list[str]:
    """Run ``calls`` at the same instant in separate threads (each with its own connection)."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], None]) -> str:
        try:
            barrier.wait(timeout=10)
            call()
            return "ok"
        except OrganizationsError as error:
            return type(error).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls, timeout=60))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["demote", "remove"])
def test_two_owners_acting_on_each_other_leave_one_owner(action: str) -> None:
    service = composition.application.organizations.service
    outcomes = set()
    for _ in range(ROUNDS):
        alice, bob = make_user(), make_user()
        org = OrganizationRow.objects.create(name="Race")
        for user in (alice, bob):
            MembershipRow.objects.create(organization=org, user=user, role="owner")

        def act(actor: int, target: int, org_id: OrganizationId) -> Callable[[], None]:
            if action == "demote":
                return lambda: service().change_role(
                    actor_id=actor, organization_id=org_id, user_id=target, role=Role.ADMIN
                )
            return lambda: service().remove_member(
                actor_id=actor, organization_id=org_id, user_id=target
            )

        org_id = OrganizationId(org.pk)
        results = _race(act(alice.pk, bob.pk, org_id), act(bob.pk, alice.pk, org_id))

        owners = MembershipRow.objects.filter(organization=org, role="owner").count()
        assert owners == 1, results
        assert results.count("ok") == 1, results
        outcomes.add(tuple(sorted(results)))
    # The loser is refused either as no longer an owner or as (no longer) a member.
    assert all(outcome[0] in ("OwnerRequired", "OrganizationNotFound") for outcome in outcomes)
