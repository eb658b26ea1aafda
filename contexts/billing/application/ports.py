"""What billing's services need from outside, as ``typing.Protocol`` ports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from contexts.billing.domain.model import (
    Account,
    EntryKind,
    Invoice,
    InvoiceId,
    InvoiceStatus,
    LedgerEntry,
    Plan,
    Subscription,
    SubscriptionId,
)
from kernel.pagination import Page, PageRequest
from kernel.unit_of_work import UnitOfWork


class PlanRepository(Protocol):
    def list_page(self, page: PageRequest) -> Page[Plan]: ...

    def get_on_offer(self, code: str) -> Plan:
        """The plan, if it is on offer; else ``PlanNotFound``."""
        ...


class SubscriptionRepository(Protocol):
    def list_for_user(self, user_id: int, page: PageRequest) -> Page[Subscription]: ...

    def has_active(self, user_id: int, plan_type: str) -> bool: ...

    def add(self, *, user_id: int, plan: Plan, start_date: date, end_date: date) -> Subscription:
        """Store an active subscription; ``DuplicateSubscription`` when the user already holds
        an active one of the plan's type (enforced by the database, also under races)."""
        ...

    def get_for_user(self, user_id: int, subscription_id: SubscriptionId) -> Subscription:
        """The user's own subscription, or ``SubscriptionNotFound`` (also for others' ids)."""
        ...

    def cancel(self, subscription: Subscription, at: datetime) -> None: ...


class AccountRepository(Protocol):
    def open(self, organization_id: int, currency: str) -> None:
        """Create the organization's account, empty; nothing happens if it exists."""
        ...

    def get(self, organization_id: int) -> Account:
        """The account, or ``AccountNotFound``."""
        ...

    def lock(self, organization_id: int) -> Account:
        """The account, locked until the unit of work ends: the only way to change a balance."""
        ...

    def save_balance(self, account: Account) -> None: ...

    def next_invoice_number(self, organization_id: int) -> int:
        """Reserve the organization's next invoice number (the account must be locked)."""
        ...


class LedgerRepository(Protocol):
    def append(
        self,
        *,
        organization_id: int,
        amount_cents: int,
        kind: EntryKind,
        invoice_id: InvoiceId | None,
        actor_id: int,
        at: datetime,
    ) -> LedgerEntry: ...

    def list_page(self, organization_id: int, page: PageRequest) -> Page[LedgerEntry]: ...


class InvoiceRepository(Protocol):
    def add(
        self,
        *,
        organization_id: int,
        number: int,
        amount_cents: int,
        currency: str,
        due_date: date,
        description: str,
        issued_at: datetime,
    ) -> Invoice: ...

    def get(self, organization_id: int, invoice_id: InvoiceId) -> Invoice:
        """The organization's invoice, or ``InvoiceNotFound`` (also for other organizations')."""
        ...

    def lock(self, organization_id: int, invoice_id: InvoiceId) -> Invoice: ...

    def mark_paid(self, invoice: Invoice, at: datetime) -> Invoice: ...

    def mark_void(self, invoice: Invoice) -> Invoice: ...

    def list_page(
        self, organization_id: int, status: InvoiceStatus | None, page: PageRequest
    ) -> Page[Invoice]: ...


class BillingUnitOfWork(UnitOfWork, Protocol):
    @property
    def plans(self) -> PlanRepository: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def ledger(self) -> LedgerRepository: ...

    @property
    def invoices(self) -> InvoiceRepository: ...


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...
