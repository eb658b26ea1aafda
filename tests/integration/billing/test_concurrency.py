"""Balances under real concurrency, through the HTTP API.

- 20 clients each pay a different 10-cent invoice from a balance of 100: exactly 10 payments
  succeed, the other 10 are 409 insufficient-funds, the balance ends at 0 and equals the
  ledger's sum; no 5xx. Twenty rounds.
- The same race against a naive read-modify-write account repository (no row lock) breaks
  those invariants on PostgreSQL: the test above would catch such a regression.
- Ten identical subscription POSTs: one 201, nine 409.
- Ten concurrent credits with one Idempotency-Key: one ledger entry, ten identical answers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from dependency_injector import providers
from django.db.models import Sum
from rest_framework.test import APIClient

from adapters.billing import models
from adapters.billing.repositories import DjangoAccountRepository, DjangoBillingUnitOfWork
from adapters.organizations.models import Membership, Organization
from contexts.billing.domain.model import Account
from kernel.tenancy import OrganizationId
from src.container import ApplicationContainer
from tests.concurrency import race
from tests.conftest import client_for
from tests.factories import make_user

ROUNDS = 20
PAYERS = 20

# serialized_rollback: the flush after a transactional test would otherwise also remove the
# plan catalogue seeded by a data migration, which later tests rely on.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _funded_organization(balance: int, invoices: int, amount: int) -> tuple[int, list[int], Any]:
    owner = make_user()
    organization = Organization.objects.create(name="Race")
    Membership.objects.create(organization=organization, user=owner, role="owner")
    account = models.Account.objects.create(
        organization_id=organization.pk, currency="EUR", balance_cents=balance
    )
    if balance:
        models.LedgerEntry.objects.create(
            account=account,
            amount_cents=balance,
            kind="credit",
            actor_id=owner.pk,
            created_at="2026-01-01T00:00Z",
        )
    ids = [
        models.Invoice.objects.create(
            account=account,
            number=number,
            amount_cents=amount,
            currency="EUR",
            due_date=date(2026, 2, 1),
            issued_at="2026-01-01T00:00Z",
        ).pk
        for number in range(1, invoices + 1)
    ]
    return organization.pk, ids, owner


def _pay(org_id: int, invoice_id: int, owner: Any) -> Callable[[], int]:
    def call() -> int:
        client = client_for(owner)
        response = client.post(
            f"/api/v1/orgs/{org_id}/invoices/{invoice_id}/pay",
            HTTP_IDEMPOTENCY_KEY=f"pay-{invoice_id}",
        )
        return int(response.status_code)

    return call


def _ledger_sum(org_id: int) -> int:
    total = models.LedgerEntry.objects.filter(account_id=org_id).aggregate(
        total=Sum("amount_cents")
    )
    return int(total["total"] or 0)


def _pay_race(org_id: int, invoice_ids: list[int], owner: Any) -> list[int | BaseException]:
    # Tokens are issued up front, outside the race.
    calls = [_pay(org_id, invoice_id, owner) for invoice_id in invoice_ids]
    return race(calls)


def _drain_round() -> list[str]:
    """One race of 20 payers on a balance of 100; what went wrong (nothing: an empty list)."""
    org_id, invoice_ids, owner = _funded_organization(balance=100, invoices=PAYERS, amount=10)
    statuses = _pay_race(org_id, invoice_ids, owner)
    balance = models.Account.objects.get(organization_id=org_id).balance_cents
    paid = models.Invoice.objects.filter(account_id=org_id, status="paid").count()
    problems = []
    if sorted(statuses, key=str) != [200] * 10 + [409] * 10:
        problems.append(f"statuses {statuses}")
    if balance != 0 or _ledger_sum(org_id) != 0:
        problems.append(f"balance {balance}, ledger sum {_ledger_sum(org_id)}")
    if paid != 10:
        problems.append(f"{paid} invoices paid")
    return problems


def test_twenty_payers_drain_a_balance_of_100_exactly() -> None:
    for _ in range(ROUNDS):
        assert _drain_round() == []


class NaiveAccountRepository(DjangoAccountRepository):
    """What a careless implementation does: read the balance without locking, write it back."""

    def lock(self, organization_id: OrganizationId) -> Account:
        account = self.get(organization_id)
        time.sleep(0.002)  # the gap between read and write that real traffic provides
        return account


class NaiveUnitOfWork(DjangoBillingUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._accounts = NaiveAccountRepository()


@pytest.fixture
def naive_billing(container: ApplicationContainer) -> Iterator[None]:
    with container.billing.uow.override(providers.Factory(NaiveUnitOfWork)):
        yield


@pytest.mark.postgres
@pytest.mark.usefixtures("naive_billing")
def test_the_same_race_catches_a_naive_read_modify_write() -> None:
    # The same round as above; without the row lock, lost updates show within a few rounds.
    for _ in range(ROUNDS):
        if _drain_round():
            return
    pytest.fail("a naive read-modify-write passed every round: the race test proves nothing")


def test_ten_identical_subscriptions_race_to_one() -> None:
    user = make_user()
    body = {"plan": "api-pro", "start_date": "2026-01-01", "end_date": "2027-01-01"}

    def subscribe() -> int:
        return int(
            client_for(user).post("/api/v1/me/subscriptions", body, format="json").status_code
        )

    statuses = race([subscribe] * 10)

    assert sorted(statuses, key=str) == [201] + [409] * 9, statuses
    assert models.Subscription.objects.filter(user=user, status="active").count() == 1


def test_concurrent_retries_with_one_idempotency_key_credit_once() -> None:
    org_id, _, owner = _funded_organization(balance=0, invoices=0, amount=10)
    clients = [client_for(owner) for _ in range(10)]

    def credit(client: APIClient) -> Callable[[], tuple[int, bytes]]:
        def call() -> tuple[int, bytes]:
            response = client.post(
                f"/api/v1/orgs/{org_id}/account/credits",
                {"amount_cents": 500},
                format="json",
                HTTP_IDEMPOTENCY_KEY="retry-me",
            )
            return int(response.status_code), bytes(response.content)

        return call

    results = race([credit(client) for client in clients])

    assert set(results) == {results[0]}, results  # one answer, ten times
    first = results[0]
    assert isinstance(first, tuple)
    assert first[0] == 201
    assert models.LedgerEntry.objects.filter(account_id=org_id, kind="credit").count() == 1
    assert models.Account.objects.get(organization_id=org_id).balance_cents == 500
