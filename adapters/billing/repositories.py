"""Billing's repositories and unit of work: the only code touching billing's models."""

from __future__ import annotations

from datetime import date, datetime

import attrs
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from adapters.billing import models
from adapters.platform.pagination import keyset_page
from adapters.platform.unit_of_work import DjangoUnitOfWork
from contexts.billing.domain.errors import (
    AccountNotFound,
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
from kernel.pagination import Page, PageRequest


def _plan(row: models.Plan) -> Plan:
    return Plan(
        row.code, row.name, row.plan_type, row.price_cents, row.currency, Interval(row.interval)
    )


def _subscription(row: models.Subscription) -> Subscription:
    return Subscription(
        id=SubscriptionId(row.pk),
        user_id=row.user_id,
        plan=row.plan.code,
        plan_type=row.plan_type,
        start_date=row.start_date,
        end_date=row.end_date,
        status=SubscriptionStatus(row.status),
    )


def _invoice(row: models.Invoice) -> Invoice:
    return Invoice(
        id=InvoiceId(row.pk),
        organization_id=row.account_id,
        number=row.number,
        amount_cents=row.amount_cents,
        currency=row.currency,
        status=InvoiceStatus(row.status),
        due_date=row.due_date,
        description=row.description,
        issued_at=row.issued_at,
        paid_at=row.paid_at,
    )


def _entry(row: models.LedgerEntry) -> LedgerEntry:
    invoice_id = InvoiceId(row.invoice_id) if row.invoice_id is not None else None
    return LedgerEntry(row.pk, row.amount_cents, EntryKind(row.kind), invoice_id, row.created_at)


def _account(row: models.Account) -> Account:
    return Account(row.organization_id, row.balance_cents, row.currency)


class DjangoPlanRepository:
    def list_page(self, page: PageRequest) -> Page[Plan]:
        rows = models.Plan.objects.filter(is_active=True)
        return keyset_page(rows, ordering=["code"], page=page).map(_plan)

    def get_on_offer(self, code: str) -> Plan:
        row = models.Plan.objects.filter(code=code, is_active=True).first()
        if row is None:
            raise PlanNotFound()
        return _plan(row)


class DjangoSubscriptionRepository:
    def _rows(self) -> QuerySet[models.Subscription]:
        return models.Subscription.objects.select_related("plan")

    def list_for_user(self, user_id: int, page: PageRequest) -> Page[Subscription]:
        rows = self._rows().filter(user_id=user_id)
        return keyset_page(rows, ordering=["-id"], page=page).map(_subscription)

    def has_active(self, user_id: int, plan_type: str) -> bool:
        return models.Subscription.objects.filter(
            user_id=user_id, plan_type=plan_type, status=SubscriptionStatus.ACTIVE.value
        ).exists()

    def add(self, *, user_id: int, plan: Plan, start_date: date, end_date: date) -> Subscription:
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
        return _subscription(row)

    def get_for_user(self, user_id: int, subscription_id: SubscriptionId) -> Subscription:
        row = self._rows().filter(user_id=user_id, pk=subscription_id).first()
        if row is None:
            raise SubscriptionNotFound()
        return _subscription(row)

    def cancel(self, subscription: Subscription, at: datetime) -> None:
        models.Subscription.objects.filter(pk=subscription.id, user_id=subscription.user_id).update(
            status=SubscriptionStatus.CANCELLED.value, cancelled_at=at
        )


class DjangoAccountRepository:
    def open(self, organization_id: int, currency: str) -> None:
        models.Account.objects.get_or_create(
            organization_id=organization_id, defaults={"currency": currency}
        )

    def get(self, organization_id: int) -> Account:
        row = models.Account.objects.filter(organization_id=organization_id).first()
        if row is None:
            raise AccountNotFound()
        return _account(row)

    def lock(self, organization_id: int) -> Account:
        row = (
            models.Account.objects.select_for_update()
            .filter(organization_id=organization_id)
            .first()
        )
        if row is None:
            raise AccountNotFound()
        return _account(row)

    def save_balance(self, account: Account) -> None:
        models.Account.objects.filter(organization_id=account.organization_id).update(
            balance_cents=account.balance_cents
        )

    def next_invoice_number(self, organization_id: int) -> int:
        account = models.Account.objects.filter(organization_id=organization_id)
        account.update(invoice_sequence=F("invoice_sequence") + 1)
        return int(account.values_list("invoice_sequence", flat=True).get())


class DjangoLedgerRepository:
    def append(
        self,
        *,
        organization_id: int,
        amount_cents: int,
        kind: EntryKind,
        invoice_id: InvoiceId | None,
        actor_id: int,
        at: datetime,
    ) -> LedgerEntry:
        row = models.LedgerEntry.objects.create(
            account_id=organization_id,
            amount_cents=amount_cents,
            kind=kind.value,
            invoice_id=invoice_id,
            actor_id=actor_id,
            created_at=at,
        )
        return _entry(row)

    def list_page(self, organization_id: int, page: PageRequest) -> Page[LedgerEntry]:
        rows = models.LedgerEntry.objects.filter(account_id=organization_id)
        return keyset_page(rows, ordering=["-created_at", "-id"], page=page).map(_entry)


class DjangoInvoiceRepository:
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
        return _invoice(row)

    def get(self, organization_id: int, invoice_id: InvoiceId) -> Invoice:
        # Scoped in the query: another organization's invoice id is simply not found.
        row = models.Invoice.objects.filter(account_id=organization_id, pk=invoice_id).first()
        if row is None:
            raise InvoiceNotFound()
        return _invoice(row)

    def lock(self, organization_id: int, invoice_id: InvoiceId) -> Invoice:
        row = (
            models.Invoice.objects.select_for_update()
            .filter(account_id=organization_id, pk=invoice_id)
            .first()
        )
        if row is None:
            raise InvoiceNotFound()
        return _invoice(row)

    def mark_paid(self, invoice: Invoice, at: datetime) -> Invoice:
        models.Invoice.objects.filter(pk=invoice.id).update(
            status=InvoiceStatus.PAID.value, paid_at=at
        )
        return attrs.evolve(invoice, status=InvoiceStatus.PAID, paid_at=at)

    def list_page(
        self, organization_id: int, status: InvoiceStatus | None, page: PageRequest
    ) -> Page[Invoice]:
        rows = models.Invoice.objects.filter(account_id=organization_id)
        if status is not None:
            rows = rows.filter(status=status.value)
        return keyset_page(rows, ordering=["-issued_at", "-id"], page=page).map(_invoice)


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
