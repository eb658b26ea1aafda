"""Billing's reaction to organizations' events (``BillingConfig.subscriptions``) runs inside the
publisher's unit of work: an organization and its billing account are created together, or not
at all."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from adapters.billing.models import Account
from adapters.organizations.models import Membership, Organization
from kernel.actors import Actor, UserId
from kernel.events import Payload
from src.container import ApplicationContainer
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_creating_an_organization_opens_its_account(container: ApplicationContainer) -> None:
    owner = make_user()

    created = container.organizations.organization_service().create(
        actor=Actor(UserId(owner.pk)), name="Acme"
    )

    account = Account.objects.get(organization_id=created.id)
    assert (account.balance_cents, account.currency) == (0, "EUR")


def test_when_the_account_cannot_be_opened_no_organization_is_created(
    container: ApplicationContainer,
) -> None:
    class BrokenOpenAccount:
        def __call__(self, payload: Payload) -> None:
            raise RuntimeError("billing is down")

    owner = make_user()

    with (
        container.billing.open_account.override(providers.Factory(BrokenOpenAccount)),
        pytest.raises(RuntimeError, match="billing is down"),
    ):
        container.organizations.organization_service().create(
            actor=Actor(UserId(owner.pk)), name="Acme"
        )

    assert not Organization.objects.exists()
    assert not Membership.objects.exists()
    assert not Account.objects.exists()
