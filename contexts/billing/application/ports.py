"""What billing's services need from outside, as ``typing.Protocol`` ports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
from kernel.actors import UserId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId
from kernel.unit_of_work import UnitOfWork


class PlanRepository(Protocol):
    def list_page(self, page: PageRequest) -> Page[Plan]: ...

    def get_on_offer(self, code: str) -> Plan:
        """The plan, if it is on offer; else ``PlanNotFound``."""
        ...


class SubscriptionRepository(Protocol):
    def list_for_user(self, user_id: UserId, page: PageRequest) -> Page[Subscription]: ...

    def has_active(self, user_id: UserId, plan_type: str) -> bool: ...

    def add(self, *, user_id: UserId, plan: Plan, start_date: date, end_date: date) -> Subscription:
        """Store an active subscription; ``DuplicateSubscription`` when the user already holds
        an active one of the plan's type (enforced by the database, also under races)."""
        ...

    def get_for_user(self, user_id: UserId, subscription_id: SubscriptionId) -> Subscription:
        """The user's own subscription, or ``SubscriptionNotFound`` (also for others' ids)."""
        ...

    def cancel(self, subscription: Subscription, at: datetime) -> None: ...


class AccountRepository(Protocol):
    def open(self, organization_id: OrganizationId, currency: str) -> None:
        """Create the organization's account, empty; nothing happens if it exists."""
        ...

    def get(self, organization_id: OrganizationId) -> Account:
        """The account, or ``OrganizationNotFound`` (every organization has one)."""
        ...

    def lock(self, organization_id: OrganizationId) -> Account:
        """The account, locked until the unit of work ends: the only way to change a balance."""
        ...

    def save_balance(self, account: Account) -> None: ...

    def next_invoice_number(self, organization_id: OrganizationId) -> int:
        """Reserve the organization's next invoice number (the account must be locked)."""
        ...


class LedgerRepository(Protocol):
    def append(
        self,
        *,
        organization_id: OrganizationId,
        amount_cents: int,
        kind: EntryKind,
        invoice_id: InvoiceId | None,
        actor_id: UserId,
        at: datetime,
    ) -> LedgerEntry: ...

    def list_page(
        self, organization_id: OrganizationId, page: PageRequest
    ) -> Page[LedgerEntry]: ...


class InvoiceRepository(Protocol):
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
    ) -> Invoice: ...

    def get(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice:
        """The organization's invoice, or ``InvoiceNotFound`` (also for other organizations')."""
        ...

    def lock(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice: ...

    def mark_paid(self, invoice: Invoice, at: datetime) -> Invoice: ...

    def mark_void(self, invoice: Invoice) -> Invoice: ...

    def list_page(
        self, organization_id: OrganizationId, status: InvoiceStatus | None, page: PageRequest
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


class Contact(Protocol):
    """Someone billing emails: what it may know of a user (provided by identity's and
    organizations' apis)."""

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...


class BilledOrganization(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def administrators(self) -> Sequence[Contact]:
        """Its owners and admins: who is told about its invoices."""
        ...


class OrganizationDirectory(Protocol):
    def describe_organization(
        self, *, organization_id: OrganizationId
    ) -> BilledOrganization | None: ...


class UserDirectory(Protocol):
    def describe_users(self, *, user_ids: Iterable[UserId]) -> Mapping[UserId, Contact]: ...


class InvoiceEmails(Protocol):
    def send_invoice_issued(
        self, *, invoice: Invoice, organization_name: str, to: Contact
    ) -> None: ...

    def send_receipt(self, *, invoice: Invoice, organization_name: str, to: Contact) -> None: ...
