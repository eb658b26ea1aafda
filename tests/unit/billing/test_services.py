"""Billing's rules through its services, against in-memory fakes."""

from __future__ import annotations

from datetime import date

import pytest

from contexts.billing.api import BillingApi
from contexts.billing.application.services import (
    AccountService,
    InvoiceService,
    SubscriptionService,
)
from contexts.billing.domain.errors import (
    AccountNotFound,
    DuplicateSubscription,
    InsufficientFunds,
    InvalidInput,
    InvoiceNotFound,
    InvoiceNotPayable,
    InvoiceNotVoidable,
    PlanNotFound,
    SubscriptionNotFound,
)
from contexts.billing.domain.model import (
    MAX_AMOUNT_CENTS,
    EntryKind,
    InvoiceId,
    InvoiceStatus,
    SubscriptionStatus,
)
from kernel.pagination import PageRequest
from tests.unit.billing.fakes import FakeBillingUnitOfWork, FixedClock

ORG, OTHER_ORG, OWNER, USER, OTHER_USER = 1, 2, 10, 20, 21
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.fixture
def uow() -> FakeBillingUnitOfWork:
    return FakeBillingUnitOfWork()


@pytest.fixture
def accounts(uow: FakeBillingUnitOfWork) -> AccountService:
    service = AccountService(uow=uow, clock=FixedClock(), currency="EUR")
    service.open_account(organization_id=ORG)
    service.open_account(organization_id=OTHER_ORG)
    return service


@pytest.fixture
def invoices(uow: FakeBillingUnitOfWork, accounts: AccountService) -> InvoiceService:
    return InvoiceService(uow=uow, clock=FixedClock())


@pytest.fixture
def subscriptions(uow: FakeBillingUnitOfWork) -> SubscriptionService:
    return SubscriptionService(uow=uow, clock=FixedClock())


def issue(invoices: InvoiceService, amount: int = 1500, org: int = ORG) -> InvoiceId:
    invoice = invoices.issue(organization_id=org, amount_cents=amount, currency="EUR", due_date=FEB)
    return invoice.id


# --- subscriptions -----------------------------------------------------------------------------


def test_subscribing_records_the_plan_type(subscriptions: SubscriptionService) -> None:
    subscription = subscriptions.subscribe(
        user_id=USER, plan_code="api-pro", start_date=JAN, end_date=FEB
    )

    assert (subscription.plan, subscription.plan_type) == ("api-pro", "api")
    assert subscription.status is SubscriptionStatus.ACTIVE


@pytest.mark.parametrize("end", [JAN, date(2025, 12, 31)])
def test_the_end_must_follow_the_start(subscriptions: SubscriptionService, end: date) -> None:
    with pytest.raises(InvalidInput) as raised:
        subscriptions.subscribe(user_id=USER, plan_code="api-pro", start_date=JAN, end_date=end)

    assert raised.value.field == "end_date"


def test_unknown_plans_are_refused(subscriptions: SubscriptionService) -> None:
    with pytest.raises(PlanNotFound):
        subscriptions.subscribe(user_id=USER, plan_code="nope", start_date=JAN, end_date=FEB)


def test_one_active_subscription_per_plan_type_until_cancelled(
    subscriptions: SubscriptionService,
) -> None:
    first = subscriptions.subscribe(user_id=USER, plan_code="api-pro", start_date=JAN, end_date=FEB)
    subscriptions.subscribe(user_id=USER, plan_code="support", start_date=JAN, end_date=FEB)
    subscriptions.subscribe(user_id=OTHER_USER, plan_code="api-pro", start_date=JAN, end_date=FEB)
    with pytest.raises(DuplicateSubscription):
        subscriptions.subscribe(user_id=USER, plan_code="api-starter", start_date=JAN, end_date=FEB)

    subscriptions.cancel(user_id=USER, subscription_id=first.id)
    subscriptions.cancel(user_id=USER, subscription_id=first.id)  # twice: no change, no error

    again = subscriptions.subscribe(
        user_id=USER, plan_code="api-starter", start_date=JAN, end_date=FEB
    )
    mine = subscriptions.list_mine(user_id=USER, page=PageRequest(size=10)).items
    assert [s.status for s in mine if s.plan_type == "api"] == [
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.CANCELLED,
    ]
    assert again.plan == "api-starter"


def test_nobody_cancels_anothers_subscription(subscriptions: SubscriptionService) -> None:
    theirs = subscriptions.subscribe(
        user_id=OTHER_USER, plan_code="api-pro", start_date=JAN, end_date=FEB
    )

    with pytest.raises(SubscriptionNotFound):
        subscriptions.cancel(user_id=USER, subscription_id=theirs.id)


# --- accounts, invoices, payments --------------------------------------------------------------


def test_credits_raise_the_balance_and_append_to_the_ledger(
    accounts: AccountService, uow: FakeBillingUnitOfWork
) -> None:
    result = accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=2500)

    assert result.balance_cents == 2500
    assert (result.entry.amount_cents, result.entry.kind) == (2500, EntryKind.CREDIT)
    assert uow.accounts.locks == [ORG]
    assert uow.ledger.total(ORG) == accounts.get_account(organization_id=ORG).balance_cents


@pytest.mark.parametrize("amount", [0, -5, MAX_AMOUNT_CENTS + 1])
def test_credit_amounts_are_bounded(accounts: AccountService, amount: int) -> None:
    with pytest.raises(InvalidInput):
        accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=amount)


def test_invoices_are_numbered_per_organization(invoices: InvoiceService) -> None:
    numbers = [
        invoices.issue(organization_id=org, amount_cents=100, currency="EUR", due_date=FEB).number
        for org in (ORG, ORG, OTHER_ORG, ORG)
    ]

    assert numbers == [1, 2, 1, 3]


def test_invoices_must_be_in_the_accounts_currency(invoices: InvoiceService) -> None:
    for currency in ("USD", "eur", "EURO"):
        with pytest.raises(InvalidInput) as raised:
            invoices.issue(organization_id=ORG, amount_cents=100, currency=currency, due_date=FEB)
        assert raised.value.field == "currency"


def test_paying_debits_the_account_and_marks_the_invoice_paid(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=2000)
    invoice_id = issue(invoices, 1500)

    paid = invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=invoice_id)

    assert paid.status is InvoiceStatus.PAID
    assert paid.paid_at is not None
    assert accounts.get_account(organization_id=ORG).balance_cents == 500
    assert uow.ledger.total(ORG) == 500
    entry = accounts.list_entries(organization_id=ORG, page=PageRequest(size=1)).items[0]
    assert (entry.amount_cents, entry.kind, entry.invoice_id) == (
        -1500,
        EntryKind.INVOICE_PAYMENT,
        invoice_id,
    )


def test_an_invoice_is_paid_once(accounts: AccountService, invoices: InvoiceService) -> None:
    accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=5000)
    invoice_id = issue(invoices, 1500)
    invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=invoice_id)

    with pytest.raises(InvoiceNotPayable):
        invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=invoice_id)

    assert accounts.get_account(organization_id=ORG).balance_cents == 3500


def test_insufficient_funds_change_nothing(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=1000)
    invoice_id = issue(invoices, 1500)

    with pytest.raises(InsufficientFunds):
        invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=invoice_id)

    assert accounts.get_account(organization_id=ORG).balance_cents == 1000
    assert invoices.get(organization_id=ORG, invoice_id=invoice_id).status is InvoiceStatus.OPEN
    assert uow.ledger.total(ORG) == 1000


def test_another_organizations_invoice_is_not_found(
    accounts: AccountService, invoices: InvoiceService
) -> None:
    theirs = issue(invoices, 100, org=OTHER_ORG)
    accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=1000)

    with pytest.raises(InvoiceNotFound):
        invoices.get(organization_id=ORG, invoice_id=theirs)
    with pytest.raises(InvoiceNotFound):
        invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=theirs)


def test_a_missing_account_is_not_found(accounts: AccountService) -> None:
    with pytest.raises(AccountNotFound):
        accounts.get_account(organization_id=999)
    with pytest.raises(AccountNotFound):
        accounts.add_credit(actor_id=OWNER, organization_id=999, amount_cents=1)


def test_the_api_opens_accounts_idempotently(
    accounts: AccountService, uow: FakeBillingUnitOfWork
) -> None:
    api = BillingApi(accounts=lambda: accounts)

    api.open_account(3)
    api.open_account(3)

    assert api.balance_cents(3) == 0
    assert list(uow.accounts.rows) == [ORG, OTHER_ORG, 3]


def test_only_open_invoices_can_be_voided(
    accounts: AccountService, invoices: InvoiceService
) -> None:
    open_id, paid_id = issue(invoices, 100), issue(invoices, 100)
    accounts.add_credit(actor_id=OWNER, organization_id=ORG, amount_cents=100)
    invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=paid_id)

    voided = invoices.void(organization_id=ORG, invoice_id=open_id)

    assert voided.status is InvoiceStatus.VOID
    with pytest.raises(InvoiceNotVoidable):
        invoices.void(organization_id=ORG, invoice_id=paid_id)
    with pytest.raises(InvoiceNotPayable):
        invoices.pay(actor_id=OWNER, organization_id=ORG, invoice_id=open_id)
