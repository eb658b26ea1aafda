"""Billing's repositories and unit of work: the only code touching billing's models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from adapters.billing import models
from adapters.platform.persistence.compiled import Arguments, CompiledQuery, CompiledUpdate
from adapters.platform.persistence.inserts import RowInsert
from adapters.platform.persistence.scopes import (
    scoped_by_organization,
    scoped_by_row,
    scoped_by_user,
    unscoped,
)
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from adapters.platform.rest.pagination import KeysetPages
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

# Rows are read as tuples of these columns and built into entities directly: cheaper than
# model instances, which matters on every page of a list.
PLAN_COLUMNS = ("code", "name", "plan_type", "price_cents", "currency", "interval")
SUBSCRIPTION_COLUMNS = (
    "id", "user_id", "plan__code", "plan_type", "start_date", "end_date", "status",
)  # fmt: skip
INVOICE_COLUMNS = (
    "id", "account_id", "number", "amount_cents", "currency", "status", "due_date",
    "description", "issued_at", "paid_at",
)  # fmt: skip
ENTRY_COLUMNS = ("id", "amount_cents", "kind", "invoice_id", "created_at")
ACCOUNT_COLUMNS = ("organization_id", "balance_cents", "currency")


def _plan(row: tuple[Any, ...]) -> Plan:
    code, name, plan_type, price_cents, currency, interval = row
    return Plan(code, name, plan_type, price_cents, currency, Interval(interval))


def _subscription(row: tuple[Any, ...]) -> Subscription:
    id_, user_id, plan, plan_type, start_date, end_date, status = row
    return Subscription(
        SubscriptionId(id_),
        UserId(user_id),
        plan,
        plan_type,
        start_date,
        end_date,
        SubscriptionStatus(status),
    )


def _invoice(row: tuple[Any, ...]) -> Invoice:
    id_, organization_id, number, amount, currency, status, due, description, issued, paid = row
    return Invoice(
        InvoiceId(id_),
        OrganizationId(organization_id),
        number,
        amount,
        currency,
        InvoiceStatus(status),
        due,
        description,
        issued,
        paid,
    )


def _entry(row: tuple[Any, ...]) -> LedgerEntry:
    id_, amount_cents, kind, invoice_id, created_at = row
    invoice = InvoiceId(invoice_id) if invoice_id is not None else None
    return LedgerEntry(id_, amount_cents, EntryKind(kind), invoice, created_at)


def _account(row: tuple[Any, ...]) -> Account:
    organization_id, balance_cents, currency = row
    return Account(OrganizationId(organization_id), balance_cents, currency)


PLAN_PAGES = KeysetPages(
    lambda _: models.Plan.objects.filter(is_active=True),
    ordering=["code"],
    columns=PLAN_COLUMNS,
    build=_plan,
)
SUBSCRIPTION_PAGES = KeysetPages(
    lambda given: models.Subscription.objects.filter(user_id=given["user_id"]),
    ordering=["-id"],
    columns=SUBSCRIPTION_COLUMNS,
    build=_subscription,
)
ENTRY_PAGES = KeysetPages(
    lambda given: models.LedgerEntry.objects.filter(account_id=given["organization_id"]),
    ordering=["-created_at", "-id"],
    columns=ENTRY_COLUMNS,
    build=_entry,
)


def _invoices(given: Arguments) -> QuerySet[models.Invoice]:
    rows = models.Invoice.objects.filter(account_id=given["organization_id"])
    return rows.filter(status=given["status"]) if "status" in given else rows


INVOICE_PAGES = KeysetPages(
    _invoices, ordering=["-issued_at", "-id"], columns=INVOICE_COLUMNS, build=_invoice
)

# Every money-moving request runs these inside the account's lock, where each statement's
# CPU is also time the other writers of the account wait: compiled once (persistence/compiled.py).
ACCOUNT_LOCK = CompiledQuery(
    lambda given: (
        models.Account.objects.select_for_update()
        .filter(organization_id=given["organization_id"])
        .values_list(*ACCOUNT_COLUMNS)
    )
)
BALANCE_UPDATE = CompiledUpdate(
    lambda given: (
        models.Account.objects.filter(organization_id=given["organization_id"]),
        {"balance_cents": given["balance_cents"]},
    )
)
INVOICE_LOCK = CompiledQuery(
    lambda given: (
        models.Invoice.objects.select_for_update()
        .filter(account_id=given["organization_id"], pk=given["invoice_id"])
        .values_list(*INVOICE_COLUMNS)
    )
)
INVOICE_PAID = CompiledUpdate(
    lambda given: (
        models.Invoice.objects.filter(pk=given["invoice_id"]),
        {"status": InvoiceStatus.PAID.value, "paid_at": given["paid_at"]},
    )
)


class DjangoPlanRepository:
    @unscoped("the plan catalogue is the same for every user")
    def list_page(self, page: PageRequest) -> Page[Plan]:
        return PLAN_PAGES.page(page)

    @unscoped("the plan catalogue is the same for every user")
    def get_on_offer(self, code: str) -> Plan:
        row = models.Plan.objects.filter(code=code, is_active=True).values_list(*PLAN_COLUMNS)
        found = row.first()
        if found is None:
            raise PlanNotFound()
        return _plan(found)


class DjangoSubscriptionRepository:
    @scoped_by_user("user_id")
    def list_for_user(self, user_id: UserId, page: PageRequest) -> Page[Subscription]:
        return SUBSCRIPTION_PAGES.page(page, user_id=user_id)

    @scoped_by_user("user_id")
    def has_active(self, user_id: UserId, plan_type: str) -> bool:
        return models.Subscription.objects.filter(
            user_id=user_id, plan_type=plan_type, status=SubscriptionStatus.ACTIVE.value
        ).exists()

    @scoped_by_user("user_id")
    def add(self, *, user_id: UserId, plan: Plan, start_date: date, end_date: date) -> Subscription:
        try:
            with transaction.atomic():
                row = models.Subscription.objects.create(
                    user_id=user_id,
                    plan=models.Plan.objects.only("code").get(code=plan.code),
                    plan_type=plan.plan_type,
                    start_date=start_date,
                    end_date=end_date,
                )
        except IntegrityError as error:
            # The partial unique index: another request subscribed to this plan type first.
            raise DuplicateSubscription() from error
        return Subscription(
            SubscriptionId(row.pk),
            user_id,
            plan.code,
            plan.plan_type,
            start_date,
            end_date,
            SubscriptionStatus.ACTIVE,
        )

    @scoped_by_user("user_id")
    def get_for_user(self, user_id: UserId, subscription_id: SubscriptionId) -> Subscription:
        rows = models.Subscription.objects.filter(user_id=user_id, pk=subscription_id)
        row = rows.values_list(*SUBSCRIPTION_COLUMNS).first()
        if row is None:
            raise SubscriptionNotFound()
        return _subscription(row)

    @scoped_by_row("subscription")
    def cancel(self, subscription: Subscription, at: datetime) -> None:
        models.Subscription.objects.filter(pk=subscription.id, user_id=subscription.user_id).update(
            status=SubscriptionStatus.CANCELLED.value, cancelled_at=at
        )


class DjangoAccountRepository:
    @scoped_by_organization("organization_id")
    def open(self, organization_id: OrganizationId, currency: str) -> None:
        models.Account.objects.get_or_create(
            organization_id=organization_id, defaults={"currency": currency}
        )

    @scoped_by_organization("organization_id")
    def get(self, organization_id: OrganizationId) -> Account:
        rows = models.Account.objects.filter(organization_id=organization_id)
        row = rows.values_list(*ACCOUNT_COLUMNS).first()
        if row is None:
            raise OrganizationNotFound()
        return _account(row)

    @scoped_by_organization("organization_id")
    def lock(self, organization_id: OrganizationId) -> Account:
        rows = ACCOUNT_LOCK.rows({"organization_id": organization_id})
        if not rows:
            raise OrganizationNotFound()
        return _account(rows[0])

    @scoped_by_row("account")
    def save_balance(self, account: Account) -> None:
        BALANCE_UPDATE.run(
            {"organization_id": account.organization_id, "balance_cents": account.balance_cents}
        )

    @scoped_by_organization("organization_id")
    def next_invoice_number(self, organization_id: OrganizationId) -> int:
        account = models.Account.objects.filter(organization_id=organization_id)
        account.update(invoice_sequence=F("invoice_sequence") + 1)
        return int(account.values_list("invoice_sequence", flat=True).get())


# Every credit and payment appends one entry: the insert is compiled once, not per call as
# objects.create() does (adapters/platform/persistence/inserts.py; 0.3 ms of CPU per request).
_APPEND_ENTRY = RowInsert(
    models.LedgerEntry, ["account", "amount_cents", "kind", "invoice", "actor_id", "created_at"]
)


class DjangoLedgerRepository:
    @scoped_by_organization("organization_id")
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
        entry_id = _APPEND_ENTRY.execute_returning_pk(
            [organization_id, amount_cents, kind.value, invoice_id, actor_id, at]
        )
        return _entry((entry_id, amount_cents, kind.value, invoice_id, at))

    @scoped_by_organization("organization_id")
    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[LedgerEntry]:
        return ENTRY_PAGES.page(page, organization_id=organization_id)


class DjangoInvoiceRepository:
    @scoped_by_organization("organization_id")
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
        row = models.Invoice.objects.create(
            account_id=organization_id,
            number=number,
            amount_cents=amount_cents,
            currency=currency,
            due_date=due_date,
            description=description,
            issued_at=issued_at,
        )
        return Invoice(
            InvoiceId(row.pk),
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

    @scoped_by_organization("organization_id")
    def get(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice:
        # Scoped in the query: another organization's invoice id is simply not found.
        rows = models.Invoice.objects.filter(account_id=organization_id, pk=invoice_id)
        row = rows.values_list(*INVOICE_COLUMNS).first()
        if row is None:
            raise InvoiceNotFound()
        return _invoice(row)

    @scoped_by_organization("organization_id")
    def lock(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice:
        rows = INVOICE_LOCK.rows({"organization_id": organization_id, "invoice_id": invoice_id})
        if not rows:
            raise InvoiceNotFound()
        return _invoice(rows[0])

    @scoped_by_row("invoice")
    def mark_paid(self, invoice: Invoice, at: datetime) -> Invoice:
        INVOICE_PAID.run({"invoice_id": invoice.id, "paid_at": at})
        return attrs.evolve(invoice, status=InvoiceStatus.PAID, paid_at=at)

    @scoped_by_row("invoice")
    def mark_void(self, invoice: Invoice) -> Invoice:
        models.Invoice.objects.filter(pk=invoice.id).update(status=InvoiceStatus.VOID.value)
        return attrs.evolve(invoice, status=InvoiceStatus.VOID)

    @scoped_by_organization("organization_id")
    def list_page(
        self, organization_id: OrganizationId, status: InvoiceStatus | None, page: PageRequest
    ) -> Page[Invoice]:
        status_value = status.value if status is not None else None
        return INVOICE_PAGES.page(page, organization_id=organization_id, status=status_value)


class DjangoBillingUnitOfWork(DjangoUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._plans = DjangoPlanRepository()
        self._subscriptions = DjangoSubscriptionRepository()
        self._accounts = DjangoAccountRepository()
        self._ledger = DjangoLedgerRepository()
        self._invoices = DjangoInvoiceRepository()

    @property
    def plans(self) -> DjangoPlanRepository:
        return self._plans

    @property
    def subscriptions(self) -> DjangoSubscriptionRepository:
        return self._subscriptions

    @property
    def accounts(self) -> DjangoAccountRepository:
        return self._accounts

    @property
    def ledger(self) -> DjangoLedgerRepository:
        return self._ledger

    @property
    def invoices(self) -> DjangoInvoiceRepository:
        return self._invoices
