"""Billing's rules through its services, against in-memory fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import attrs
import pytest

from contexts.billing.api import BillingApi
from contexts.billing.application.handlers import OpenAccount, SendInvoiceIssuedEmails, SendReceipt
from contexts.billing.application.ports import Contact
from contexts.billing.application.services import (
    AccountService,
    InvoiceService,
    PlanService,
    SubscriptionService,
)
from contexts.billing.domain.errors import (
    DuplicateSubscription,
    InsufficientFunds,
    InvalidInput,
    InvoiceNotFound,
    InvoiceNotPayable,
    InvoiceNotVoidable,
    PlanNotFound,
    SubscriptionNotFound,
)
from contexts.billing.domain.events import InvoiceIssued, InvoicePaid
from contexts.billing.domain.model import (
    MAX_AMOUNT_CENTS,
    EntryKind,
    Invoice,
    InvoiceId,
    InvoiceStatus,
    SubscriptionStatus,
)
from kernel.actors import Actor, UserId
from kernel.pagination import PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role, RoleTooLow, StaffOnly
from tests.unit.billing.fakes import PLANS, FakeBillingUnitOfWork, FixedClock

ORG, OTHER_ORG, NEW_ORG, MISSING_ORG = (OrganizationId(i) for i in (1, 2, 3, 999))
OWNER, USER, OTHER_USER, STAFF = (UserId(i) for i in (10, 20, 21, 30))
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)

# The owner of ORG, as the tenancy layer hands them over for a request about ORG.
OWNER_ACTOR = Actor(OWNER).with_role(ORG, Role.OWNER)
STAFF_ACTOR = Actor(STAFF, is_staff=True)
USER_ACTOR, OTHER_USER_ACTOR = Actor(USER), Actor(OTHER_USER)


@pytest.fixture
def uow() -> FakeBillingUnitOfWork:
    return FakeBillingUnitOfWork()


@pytest.fixture
def accounts(uow: FakeBillingUnitOfWork) -> AccountService:
    service = AccountService(uow=uow, clock=FixedClock(), currency="EUR")
    service.open(organization_id=ORG)
    service.open(organization_id=OTHER_ORG)
    return service


@pytest.fixture
def invoices(uow: FakeBillingUnitOfWork, accounts: AccountService) -> InvoiceService:
    return InvoiceService(uow=uow, clock=FixedClock())


@pytest.fixture
def subscriptions(uow: FakeBillingUnitOfWork) -> SubscriptionService:
    return SubscriptionService(uow=uow, clock=FixedClock())


@pytest.fixture
def plans(uow: FakeBillingUnitOfWork) -> PlanService:
    return PlanService(uow=uow)


def issue(invoices: InvoiceService, amount: int = 1500, org: OrganizationId = ORG) -> InvoiceId:
    invoice = invoices.issue(
        actor=STAFF_ACTOR, organization_id=org, amount_cents=amount, currency="EUR", due_date=FEB
    )
    return invoice.id


def balance(accounts: AccountService, org: OrganizationId = ORG) -> int:
    return accounts.get(
        actor=Actor(OWNER).with_role(org, Role.OWNER), organization_id=org
    ).balance_cents


# --- plans and subscriptions ---------------------------------------------------------------------


def test_every_user_sees_the_plans_on_offer(plans: PlanService) -> None:
    assert plans.list(actor=USER_ACTOR, page=PageRequest(size=10)).items == PLANS
    assert plans.list(actor=USER_ACTOR, page=PageRequest(size=1)).items == PLANS[:1]


def test_subscribing_records_the_plan_type(subscriptions: SubscriptionService) -> None:
    subscription = subscriptions.subscribe(
        actor=USER_ACTOR, plan_code="api-pro", start_date=JAN, end_date=FEB
    )

    assert (subscription.plan, subscription.plan_type) == ("api-pro", "api")
    assert subscription.status is SubscriptionStatus.ACTIVE
    assert subscription.user_id == USER


@pytest.mark.parametrize("end", [JAN, date(2025, 12, 31)])
def test_the_end_must_follow_the_start(subscriptions: SubscriptionService, end: date) -> None:
    with pytest.raises(InvalidInput) as raised:
        subscriptions.subscribe(actor=USER_ACTOR, plan_code="api-pro", start_date=JAN, end_date=end)

    assert raised.value.field == "end_date"


def test_unknown_plans_are_refused(subscriptions: SubscriptionService) -> None:
    with pytest.raises(PlanNotFound):
        subscriptions.subscribe(actor=USER_ACTOR, plan_code="nope", start_date=JAN, end_date=FEB)


def test_one_active_subscription_per_plan_type_until_cancelled(
    subscriptions: SubscriptionService,
) -> None:
    first = subscriptions.subscribe(
        actor=USER_ACTOR, plan_code="api-pro", start_date=JAN, end_date=FEB
    )
    subscriptions.subscribe(actor=USER_ACTOR, plan_code="support", start_date=JAN, end_date=FEB)
    subscriptions.subscribe(
        actor=OTHER_USER_ACTOR, plan_code="api-pro", start_date=JAN, end_date=FEB
    )
    with pytest.raises(DuplicateSubscription):
        subscriptions.subscribe(
            actor=USER_ACTOR, plan_code="api-starter", start_date=JAN, end_date=FEB
        )

    subscriptions.cancel(actor=USER_ACTOR, subscription_id=first.id)
    subscriptions.cancel(actor=USER_ACTOR, subscription_id=first.id)  # twice: no change, no error

    again = subscriptions.subscribe(
        actor=USER_ACTOR, plan_code="api-starter", start_date=JAN, end_date=FEB
    )
    mine = subscriptions.list(actor=USER_ACTOR, page=PageRequest(size=10)).items
    assert [s.status for s in mine if s.plan_type == "api"] == [
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.CANCELLED,
    ]
    assert {s.user_id for s in mine} == {USER}
    assert again.plan == "api-starter"


def test_nobody_cancels_anothers_subscription(
    subscriptions: SubscriptionService, uow: FakeBillingUnitOfWork
) -> None:
    theirs = subscriptions.subscribe(
        actor=OTHER_USER_ACTOR, plan_code="api-pro", start_date=JAN, end_date=FEB
    )

    with pytest.raises(SubscriptionNotFound):
        subscriptions.cancel(actor=USER_ACTOR, subscription_id=theirs.id)
    assert uow.subscriptions.rows[theirs.id].status is SubscriptionStatus.ACTIVE


# --- accounts, invoices, payments ----------------------------------------------------------------


def test_credits_raise_the_balance_and_append_to_the_ledger(
    accounts: AccountService, uow: FakeBillingUnitOfWork
) -> None:
    result = accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=2500)

    assert result.balance_cents == 2500
    assert (result.entry.amount_cents, result.entry.kind) == (2500, EntryKind.CREDIT)
    assert uow.accounts.locks == [ORG]
    assert uow.ledger.actor_ids[result.entry.id] == OWNER
    assert uow.ledger.total(ORG) == balance(accounts)


@pytest.mark.parametrize("amount", [0, -5, MAX_AMOUNT_CENTS + 1])
def test_credit_amounts_are_bounded(
    accounts: AccountService, uow: FakeBillingUnitOfWork, amount: int
) -> None:
    with pytest.raises(InvalidInput):
        accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=amount)

    assert uow.ledger.entries == []


def test_invoices_are_numbered_per_organization(invoices: InvoiceService) -> None:
    numbers = [
        invoices.issue(
            actor=STAFF_ACTOR, organization_id=org, amount_cents=100, currency="EUR", due_date=FEB
        ).number
        for org in (ORG, ORG, OTHER_ORG, ORG)
    ]

    assert numbers == [1, 2, 1, 3]


def test_invoices_must_be_in_the_accounts_currency(
    invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    for currency in ("USD", "eur", "EURO"):
        with pytest.raises(InvalidInput) as raised:
            invoices.issue(
                actor=STAFF_ACTOR,
                organization_id=ORG,
                amount_cents=100,
                currency=currency,
                due_date=FEB,
            )
        assert raised.value.field == "currency"
    assert uow.invoices.rows == {}


def test_paying_debits_the_account_and_marks_the_invoice_paid(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=2000)
    invoice_id = issue(invoices, 1500)

    paid = invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=invoice_id)

    assert paid.status is InvoiceStatus.PAID
    assert paid.paid_at is not None
    assert balance(accounts) == 500
    assert uow.ledger.total(ORG) == 500
    entry = accounts.list_entries(
        actor=OWNER_ACTOR, organization_id=ORG, page=PageRequest(size=1)
    ).items[0]
    assert (entry.amount_cents, entry.kind, entry.invoice_id) == (
        -1500,
        EntryKind.INVOICE_PAYMENT,
        invoice_id,
    )
    assert uow.ledger.actor_ids[entry.id] == OWNER


def test_an_admin_may_pay(accounts: AccountService, invoices: InvoiceService) -> None:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=2000)
    invoice_id = issue(invoices, 1500)
    admin = Actor(USER).with_role(ORG, Role.ADMIN)

    assert invoices.pay(actor=admin, organization_id=ORG, invoice_id=invoice_id).paid_at


def test_an_invoice_is_paid_once(accounts: AccountService, invoices: InvoiceService) -> None:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=5000)
    invoice_id = issue(invoices, 1500)
    invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=invoice_id)

    with pytest.raises(InvoiceNotPayable):
        invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=invoice_id)

    assert balance(accounts) == 3500


def test_insufficient_funds_change_nothing(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=1000)
    invoice_id = issue(invoices, 1500)

    with pytest.raises(InsufficientFunds):
        invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=invoice_id)

    assert balance(accounts) == 1000
    assert (
        invoices.get(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=invoice_id).status
        is InvoiceStatus.OPEN
    )
    assert uow.ledger.total(ORG) == 1000


def test_another_organizations_invoice_is_not_found(
    accounts: AccountService, invoices: InvoiceService
) -> None:
    theirs = issue(invoices, 100, org=OTHER_ORG)
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=1000)

    with pytest.raises(InvoiceNotFound):
        invoices.get(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=theirs)
    with pytest.raises(InvoiceNotFound):
        invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=theirs)
    with pytest.raises(InvoiceNotFound):
        invoices.void(actor=STAFF_ACTOR, organization_id=ORG, invoice_id=theirs)
    assert balance(accounts) == 1000


def test_invoices_are_listed_per_organization_and_status(
    accounts: AccountService, invoices: InvoiceService
) -> None:
    open_id, paid_id = issue(invoices, 100), issue(invoices, 100)
    issue(invoices, 100, org=OTHER_ORG)
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=100)
    invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=paid_id)

    def listed(status: InvoiceStatus | None) -> list[InvoiceId]:
        page = invoices.list(
            actor=OWNER_ACTOR, organization_id=ORG, status=status, page=PageRequest(size=10)
        )
        return [invoice.id for invoice in page.items]

    assert listed(None) == [paid_id, open_id]
    assert listed(InvoiceStatus.OPEN) == [open_id]


def test_a_missing_account_is_a_missing_organization(accounts: AccountService) -> None:
    # Even for an actor holding a role there (the account is what tells).
    owner = Actor(OWNER).with_role(MISSING_ORG, Role.OWNER)
    with pytest.raises(OrganizationNotFound):
        accounts.get(actor=owner, organization_id=MISSING_ORG)
    with pytest.raises(OrganizationNotFound):
        accounts.list_entries(actor=owner, organization_id=MISSING_ORG, page=PageRequest(size=1))
    with pytest.raises(OrganizationNotFound):
        accounts.add_credit(actor=owner, organization_id=MISSING_ORG, amount_cents=1)


def test_staff_cannot_invoice_a_missing_organization(
    invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    with pytest.raises(OrganizationNotFound):
        issue(invoices, 100, org=MISSING_ORG)
    assert uow.invoices.rows == {}


def test_the_api_opens_accounts_idempotently(
    accounts: AccountService, uow: FakeBillingUnitOfWork
) -> None:
    api = BillingApi(accounts=lambda: accounts)

    api.open_account(organization_id=NEW_ORG)
    api.open_account(organization_id=NEW_ORG)

    assert balance(accounts, NEW_ORG) == 0
    assert list(uow.accounts.rows) == [ORG, OTHER_ORG, NEW_ORG]


def test_opening_an_account_again_keeps_its_balance(
    accounts: AccountService, uow: FakeBillingUnitOfWork
) -> None:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=700)

    accounts.open(organization_id=ORG)

    assert balance(accounts) == 700


def test_the_organization_created_handler_opens_the_account(
    accounts: AccountService, uow: FakeBillingUnitOfWork
) -> None:
    handler = OpenAccount(accounts=accounts)
    payload = {"organization_id": NEW_ORG, "owner_id": OWNER}

    handler(payload)
    handler(payload)  # delivered twice: still one account

    account = accounts.get(
        actor=Actor(OWNER).with_role(NEW_ORG, Role.OWNER), organization_id=NEW_ORG
    )
    assert (account.organization_id, account.balance_cents, account.currency) == (
        NEW_ORG,
        0,
        "EUR",
    )
    assert list(uow.accounts.rows) == [ORG, OTHER_ORG, NEW_ORG]


def test_only_open_invoices_can_be_voided(
    accounts: AccountService, invoices: InvoiceService
) -> None:
    open_id, paid_id = issue(invoices, 100), issue(invoices, 100)
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=100)
    invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=paid_id)

    voided = invoices.void(actor=STAFF_ACTOR, organization_id=ORG, invoice_id=open_id)

    assert voided.status is InvoiceStatus.VOID
    with pytest.raises(InvoiceNotVoidable):
        invoices.void(actor=STAFF_ACTOR, organization_id=ORG, invoice_id=paid_id)
    with pytest.raises(InvoiceNotPayable):
        invoices.pay(actor=OWNER_ACTOR, organization_id=ORG, invoice_id=open_id)


# --- defence in depth: every use case checks the actor itself ------------------------------------


@attrs.frozen
class Billing:
    """The services, with ORG credited and holding an open invoice its balance can pay."""

    accounts: AccountService
    invoices: InvoiceService
    uow: FakeBillingUnitOfWork
    invoice_id: InvoiceId


@pytest.fixture
def billing(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> Billing:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=5000)
    return Billing(accounts, invoices, uow, issue(invoices, 1500))


UseCase = Callable[[Billing, Actor], object]

ORGANIZATION_USE_CASES: dict[str, tuple[Role, UseCase]] = {
    "accounts.get": (
        Role.ADMIN,
        lambda b, actor: b.accounts.get(actor=actor, organization_id=ORG),
    ),
    "accounts.list_entries": (
        Role.ADMIN,
        lambda b, actor: b.accounts.list_entries(
            actor=actor, organization_id=ORG, page=PageRequest(size=10)
        ),
    ),
    "accounts.add_credit": (
        Role.OWNER,
        lambda b, actor: b.accounts.add_credit(actor=actor, organization_id=ORG, amount_cents=1),
    ),
    "invoices.get": (
        Role.ADMIN,
        lambda b, actor: b.invoices.get(actor=actor, organization_id=ORG, invoice_id=b.invoice_id),
    ),
    "invoices.list": (
        Role.ADMIN,
        lambda b, actor: b.invoices.list(
            actor=actor, organization_id=ORG, status=None, page=PageRequest(size=10)
        ),
    ),
    "invoices.pay": (
        Role.ADMIN,
        lambda b, actor: b.invoices.pay(actor=actor, organization_id=ORG, invoice_id=b.invoice_id),
    ),
}

ROLE_TOO_LOW = [
    pytest.param(use_case, lower, id=f"{use_case}-as-{lower}")
    for use_case, (minimum, _) in ORGANIZATION_USE_CASES.items()
    for lower in Role
    if not lower.at_least(minimum)
]

WITHOUT_A_ROLE_IN_ORG = [
    pytest.param(Actor(USER), id="no-role"),
    pytest.param(Actor(USER).with_role(OTHER_ORG, Role.OWNER), id="owner-elsewhere"),
    pytest.param(STAFF_ACTOR, id="staff"),
]


def unchanged(billing: Billing) -> tuple[object, ...]:
    """What a refused use case must leave alone."""
    uow = billing.uow
    return (
        uow.commits,
        list(uow.accounts.locks),
        list(uow.ledger.entries),
        dict(uow.invoices.rows),
        uow.accounts.rows[ORG].balance_cents,
    )


@pytest.mark.parametrize("use_case", ORGANIZATION_USE_CASES)
@pytest.mark.parametrize("actor", WITHOUT_A_ROLE_IN_ORG)
def test_organization_use_cases_hide_the_organization_from_non_members(
    billing: Billing, use_case: str, actor: Actor
) -> None:
    _, call = ORGANIZATION_USE_CASES[use_case]
    before = unchanged(billing)

    with pytest.raises(OrganizationNotFound):
        call(billing, actor)

    assert unchanged(billing) == before


@pytest.mark.parametrize(("use_case", "lower"), ROLE_TOO_LOW)
def test_organization_use_cases_refuse_a_lower_role(
    billing: Billing, use_case: str, lower: Role
) -> None:
    _, call = ORGANIZATION_USE_CASES[use_case]
    before = unchanged(billing)

    with pytest.raises(RoleTooLow):
        call(billing, Actor(USER).with_role(ORG, lower))

    assert unchanged(billing) == before


@pytest.mark.parametrize("use_case", ORGANIZATION_USE_CASES)
def test_organization_use_cases_allow_their_minimum_role(billing: Billing, use_case: str) -> None:
    minimum, call = ORGANIZATION_USE_CASES[use_case]

    call(billing, Actor(USER).with_role(ORG, minimum))


STAFF_USE_CASES: dict[str, UseCase] = {
    "invoices.issue": lambda b, actor: b.invoices.issue(
        actor=actor, organization_id=ORG, amount_cents=100, currency="EUR", due_date=FEB
    ),
    "invoices.void": lambda b, actor: b.invoices.void(
        actor=actor, organization_id=ORG, invoice_id=b.invoice_id
    ),
}


@pytest.mark.parametrize("use_case", STAFF_USE_CASES)
@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(OWNER_ACTOR, id="owner"),
        pytest.param(Actor(USER), id="no-role"),
    ],
)
def test_staff_use_cases_refuse_everyone_else(
    billing: Billing, use_case: str, actor: Actor
) -> None:
    before = unchanged(billing)

    with pytest.raises(StaffOnly):
        STAFF_USE_CASES[use_case](billing, actor)

    assert unchanged(billing) == before
    assert billing.uow.invoices.rows[billing.invoice_id].status is InvoiceStatus.OPEN


@pytest.mark.parametrize("use_case", STAFF_USE_CASES)
def test_staff_use_cases_allow_staff(billing: Billing, use_case: str) -> None:
    STAFF_USE_CASES[use_case](billing, STAFF_ACTOR)


def test_staff_only_is_a_role_too_low() -> None:
    assert issubclass(StaffOnly, RoleTooLow)


# --- the invoice emails --------------------------------------------------------------------------


@attrs.frozen
class Person:
    email: str
    name: str


@attrs.frozen
class Billed:
    name: str
    administrators: tuple[Person, ...]


class FakeDirectories:
    """Organizations' and identity's apis, as billing's ports see them."""

    def __init__(self) -> None:
        self.organizations = {
            ORG: Billed(
                "Acme", (Person("olive@acme.example", "Olive"), Person("adam@acme.example", "Adam"))
            )
        }
        self.users = {USER: Person("payer@acme.example", "Pat")}

    def describe_organization(self, *, organization_id: OrganizationId) -> Billed | None:
        return self.organizations.get(organization_id)

    def describe_users(self, *, user_ids: Iterable[UserId]) -> dict[UserId, Person]:
        return {user_id: self.users[user_id] for user_id in user_ids if user_id in self.users}


@attrs.define
class RecordingInvoiceEmails:
    sent: list[tuple[str, int, str, str]] = attrs.field(factory=list)

    def send_invoice_issued(self, *, invoice: Invoice, organization_name: str, to: Contact) -> None:
        self.sent.append(("issued", invoice.number, organization_name, to.email))

    def send_receipt(self, *, invoice: Invoice, organization_name: str, to: Contact) -> None:
        self.sent.append(("receipt", invoice.number, organization_name, to.email))


def test_issuing_and_paying_record_their_events_with_the_change(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=2000)
    invoice_id = issue(invoices, 1500)
    payer = Actor(USER).with_role(ORG, Role.ADMIN)
    invoices.pay(actor=payer, organization_id=ORG, invoice_id=invoice_id)
    with pytest.raises(InvoiceNotPayable):
        invoices.pay(actor=payer, organization_id=ORG, invoice_id=invoice_id)

    assert uow.outbox.events == [
        InvoiceIssued(organization_id=ORG, invoice_id=invoice_id),
        InvoicePaid(organization_id=ORG, invoice_id=invoice_id, payer_id=USER),
    ]


def test_the_issued_email_goes_to_each_owner_and_admin_and_the_receipt_to_the_payer(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    directories, emails = FakeDirectories(), RecordingInvoiceEmails()
    issued = SendInvoiceIssuedEmails(uow=uow, organizations=directories, emails=emails)
    receipt = SendReceipt(uow=uow, organizations=directories, users=directories, emails=emails)
    accounts.add_credit(actor=OWNER_ACTOR, organization_id=ORG, amount_cents=2000)
    invoice_id = issue(invoices, 1500)
    invoices.pay(
        actor=Actor(USER).with_role(ORG, Role.ADMIN), organization_id=ORG, invoice_id=invoice_id
    )

    for event in uow.outbox.events:
        (issued if isinstance(event, InvoiceIssued) else receipt)(event.payload())

    assert emails.sent == [
        ("issued", 1, "Acme", "olive@acme.example"),
        ("issued", 1, "Acme", "adam@acme.example"),
        ("receipt", 1, "Acme", "payer@acme.example"),
    ]


def test_a_receipt_for_a_payer_who_is_gone_is_not_sent(
    accounts: AccountService, invoices: InvoiceService, uow: FakeBillingUnitOfWork
) -> None:
    directories, emails = FakeDirectories(), RecordingInvoiceEmails()
    directories.users.clear()
    receipt = SendReceipt(uow=uow, organizations=directories, users=directories, emails=emails)
    invoice_id = issue(invoices, 1500)

    receipt({"organization_id": ORG, "invoice_id": invoice_id, "payer_id": USER})

    assert emails.sent == []
