"""In-memory implementations of billing's ports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs

from contexts.billing.domain.errors import (
    DuplicateSubscription,
    InvoiceNotFound,
    PlanNotFound,
    SubscriptionNotFound,
)
from contexts.billing.domain.model import (
    Account,
    EntryKind,
    Interval,
    Invoice,
    InvoiceId,
    InvoiceStatus,
    LedgerEntry,
    Plan,
    Subscription,
    SubscriptionId,
    SubscriptionStatus,
)
from kernel.actors import UserId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound
from tests.unit.fakes import FakeUnitOfWork

PLANS = [
    Plan("api-pro", "API Pro", "api", 4900, "EUR", Interval.MONTH),
    Plan("api-starter", "API Starter", "api", 0, "EUR", Interval.MONTH),
    Plan("support", "Support", "support", 1900, "EUR", Interval.MONTH),
]


class FixedClock:
    def __init__(self) -> None:
        self.current = datetime(2026, 1, 1, 12, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current

    def today(self) -> date:
        return self.current.date()


class FakePlans:
    def list_page(self, page: PageRequest) -> Page[Plan]:
        return Page(PLANS[: page.size])

    def get_on_offer(self, code: str) -> Plan:
        for plan in PLANS:
            if plan.code == code:
                return plan
        raise PlanNotFound()


class FakeSubscriptions:
    def __init__(self) -> None:
        self.rows: dict[SubscriptionId, Subscription] = {}

    def list_for_user(self, user_id: UserId, page: PageRequest) -> Page[Subscription]:
        mine = [s for s in self.rows.values() if s.user_id == user_id]
        return Page(sorted(mine, key=lambda s: -s.id)[: page.size])

    def has_active(self, user_id: UserId, plan_type: str) -> bool:
        return any(
            s.user_id == user_id
            and s.plan_type == plan_type
            and s.status is SubscriptionStatus.ACTIVE
            for s in self.rows.values()
        )

    def add(self, *, user_id: UserId, plan: Plan, start_date: date, end_date: date) -> Subscription:
        if self.has_active(user_id, plan.plan_type):
            raise DuplicateSubscription()
        subscription = Subscription(
            SubscriptionId(len(self.rows) + 1),
            user_id,
            plan.code,
            plan.plan_type,
            start_date,
            end_date,
            SubscriptionStatus.ACTIVE,
        )
        self.rows[subscription.id] = subscription
        return subscription

    def get_for_user(self, user_id: UserId, subscription_id: SubscriptionId) -> Subscription:
        subscription = self.rows.get(subscription_id)
        if subscription is None or subscription.user_id != user_id:
            raise SubscriptionNotFound()
        return subscription

    def cancel(self, subscription: Subscription, at: datetime) -> None:
        self.rows[subscription.id] = attrs.evolve(subscription, status=SubscriptionStatus.CANCELLED)


@attrs.define
class StoredAccount:
    balance_cents: int
    currency: str
    invoice_sequence: int = 0


class FakeAccounts:
    def __init__(self) -> None:
        self.rows: dict[OrganizationId, StoredAccount] = {}
        self.locks: list[OrganizationId] = []

    def open(self, organization_id: OrganizationId, currency: str) -> None:
        self.rows.setdefault(organization_id, StoredAccount(0, currency))

    def get(self, organization_id: OrganizationId) -> Account:
        row = self.rows.get(organization_id)
        if row is None:
            # Every organization has an account: no account, no organization.
            raise OrganizationNotFound()
        return Account(organization_id, row.balance_cents, row.currency)

    def lock(self, organization_id: OrganizationId) -> Account:
        self.locks.append(organization_id)
        return self.get(organization_id)

    def save_balance(self, account: Account) -> None:
        self.rows[account.organization_id].balance_cents = account.balance_cents

    def next_invoice_number(self, organization_id: OrganizationId) -> int:
        self.rows[organization_id].invoice_sequence += 1
        return self.rows[organization_id].invoice_sequence


class FakeLedger:
    def __init__(self) -> None:
        self.entries: list[tuple[OrganizationId, LedgerEntry]] = []
        self.actor_ids: dict[int, UserId] = {}  # who made each entry, by entry id

    def append(
        self,
        *,
        organization_id: OrganizationId,
        amount_cents: int,
        kind: EntryKind,
        invoice_id: InvoiceId | None,
        actor_id: UserId,
        at: datetime,
    ) -> LedgerEntry:
        entry = LedgerEntry(len(self.entries) + 1, amount_cents, kind, invoice_id, at)
        self.entries.append((organization_id, entry))
        self.actor_ids[entry.id] = actor_id
        return entry

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[LedgerEntry]:
        mine = [e for org, e in self.entries if org == organization_id]
        return Page(list(reversed(mine))[: page.size])

    def total(self, organization_id: OrganizationId) -> int:
        return sum(e.amount_cents for org, e in self.entries if org == organization_id)


class FakeInvoices:
    def __init__(self) -> None:
        self.rows: dict[InvoiceId, Invoice] = {}

    def add(
        self,
        *,
        organization_id: OrganizationId,
        number: int,
        amount_cents: int,
        currency: str,
        due_date: date,
        description: str,
        issued_at: datetime,
    ) -> Invoice:
        invoice = Invoice(
            InvoiceId(len(self.rows) + 1),
            organization_id,
            number,
            amount_cents,
            currency,
            InvoiceStatus.OPEN,
            due_date,
            description,
            issued_at,
            None,
        )
        self.rows[invoice.id] = invoice
        return invoice

    def get(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice:
        invoice = self.rows.get(invoice_id)
        if invoice is None or invoice.organization_id != organization_id:
            raise InvoiceNotFound()
        return invoice

    def lock(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice:
        return self.get(organization_id, invoice_id)

    def mark_paid(self, invoice: Invoice, at: datetime) -> Invoice:
        paid = attrs.evolve(invoice, status=InvoiceStatus.PAID, paid_at=at)
        self.rows[invoice.id] = paid
        return paid

    def mark_void(self, invoice: Invoice) -> Invoice:
        void = attrs.evolve(invoice, status=InvoiceStatus.VOID)
        self.rows[invoice.id] = void
        return void

    def list_page(
        self, organization_id: OrganizationId, status: InvoiceStatus | None, page: PageRequest
    ) -> Page[Invoice]:
        mine = [
            i
            for i in self.rows.values()
            if i.organization_id == organization_id and status in (None, i.status)
        ]
        return Page(sorted(mine, key=lambda i: -i.id)[: page.size])


class FakeBillingUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._plans = FakePlans()
        self._subscriptions = FakeSubscriptions()
        self._accounts = FakeAccounts()
        self._ledger = FakeLedger()
        self._invoices = FakeInvoices()

    @property
    def plans(self) -> FakePlans:
        return self._plans

    @property
    def subscriptions(self) -> FakeSubscriptions:
        return self._subscriptions

    @property
    def accounts(self) -> FakeAccounts:
        return self._accounts

    @property
    def ledger(self) -> FakeLedger:
        return self._ledger

    @property
    def invoices(self) -> FakeInvoices:
        return self._invoices
