"""Billing's use cases. Every balance change locks the account row, changes the balance and
appends the ledger entry in one unit of work, so the balance always equals the ledger's sum."""

from __future__ import annotations

from datetime import date

import attrs

from contexts.billing.application.ports import BillingUnitOfWork, Clock
from contexts.billing.domain.errors import (
    DuplicateSubscription,
    InvalidInput,
    InvoiceNotVoidable,
)
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
    SubscriptionStatus,
    check_amount,
    check_currency,
    check_period,
)
from kernel.pagination import Page, PageRequest


@attrs.frozen
class CreditResult:
    entry: LedgerEntry
    balance_cents: int


class SubscriptionService:
    def __init__(self, *, uow: BillingUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def list_plans(self, *, page: PageRequest) -> Page[Plan]:
        return self._uow.plans.list_page(page)

    def list_mine(self, *, user_id: int, page: PageRequest) -> Page[Subscription]:
        return self._uow.subscriptions.list_for_user(user_id, page)

    def subscribe(
        self, *, user_id: int, plan_code: str, start_date: date, end_date: date
    ) -> Subscription:
        check_period(start_date, end_date)
        with self._uow as uow:
            plan = uow.plans.get_on_offer(plan_code)
            if uow.subscriptions.has_active(user_id, plan.plan_type):
                raise DuplicateSubscription()
            subscription = uow.subscriptions.add(
                user_id=user_id, plan=plan, start_date=start_date, end_date=end_date
            )
            uow.commit()
        return subscription

    def cancel(self, *, user_id: int, subscription_id: SubscriptionId) -> None:
        """Cancel one's own subscription. Cancelling twice changes nothing."""
        with self._uow as uow:
            subscription = uow.subscriptions.get_for_user(user_id, subscription_id)
            if subscription.status is SubscriptionStatus.ACTIVE:
                uow.subscriptions.cancel(subscription, self._clock.now())
                uow.commit()


class AccountService:
    def __init__(self, *, uow: BillingUnitOfWork, clock: Clock, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._currency = currency

    def open_account(self, *, organization_id: int) -> None:
        """Open an organization's account (at its creation). Opening twice is harmless."""
        with self._uow as uow:
            uow.accounts.open(organization_id, self._currency)
            uow.commit()

    def get_account(self, *, organization_id: int) -> Account:
        return self._uow.accounts.get(organization_id)

    def list_entries(self, *, organization_id: int, page: PageRequest) -> Page[LedgerEntry]:
        self._uow.accounts.get(organization_id)
        return self._uow.ledger.list_page(organization_id, page)

    def add_credit(self, *, actor_id: int, organization_id: int, amount_cents: int) -> CreditResult:
        check_amount(amount_cents)
        with self._uow as uow:
            account = uow.accounts.lock(organization_id)
            account.credit(amount_cents)
            uow.accounts.save_balance(account)
            entry = uow.ledger.append(
                organization_id=organization_id,
                amount_cents=amount_cents,
                kind=EntryKind.CREDIT,
                invoice_id=None,
                actor_id=actor_id,
                at=self._clock.now(),
            )
            uow.commit()
        return CreditResult(entry, account.balance_cents)


class InvoiceService:
    def __init__(self, *, uow: BillingUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def issue(
        self,
        *,
        organization_id: int,
        amount_cents: int,
        currency: str,
        due_date: date,
        description: str = "",
    ) -> Invoice:
        """Issue an invoice (staff). Numbers count up per organization, without gaps."""
        check_amount(amount_cents)
        check_currency(currency)
        with self._uow as uow:
            account = uow.accounts.lock(organization_id)
            if currency != account.currency:
                raise InvalidInput(
                    field="currency", message=f"This organization is billed in {account.currency}."
                )
            invoice = uow.invoices.add(
                organization_id=organization_id,
                number=uow.accounts.next_invoice_number(organization_id),
                amount_cents=amount_cents,
                currency=currency,
                due_date=due_date,
                description=description,
                issued_at=self._clock.now(),
            )
            uow.commit()
        return invoice

    def get(self, *, organization_id: int, invoice_id: InvoiceId) -> Invoice:
        return self._uow.invoices.get(organization_id, invoice_id)

    def list(
        self, *, organization_id: int, status: InvoiceStatus | None, page: PageRequest
    ) -> Page[Invoice]:
        return self._uow.invoices.list_page(organization_id, status, page)

    def void(self, *, organization_id: int, invoice_id: InvoiceId) -> Invoice:
        """Cancel an open invoice (staff, from the admin). No money moves."""
        with self._uow as uow:
            invoice = uow.invoices.lock(organization_id, invoice_id)
            if invoice.status is not InvoiceStatus.OPEN:
                raise InvoiceNotVoidable(invoice.status.value)
            voided = uow.invoices.mark_void(invoice)
            uow.commit()
        return voided

    def pay(self, *, actor_id: int, organization_id: int, invoice_id: InvoiceId) -> Invoice:
        """Pay an open invoice from the organization's prepaid account."""
        with self._uow as uow:
            # Account first, then invoice: one lock order everywhere, so no deadlocks.
            account = uow.accounts.lock(organization_id)
            invoice = uow.invoices.lock(organization_id, invoice_id)
            account.pay(invoice)
            uow.accounts.save_balance(account)
            now = self._clock.now()
            paid = uow.invoices.mark_paid(invoice, now)
            uow.ledger.append(
                organization_id=organization_id,
                amount_cents=-invoice.amount_cents,
                kind=EntryKind.INVOICE_PAYMENT,
                invoice_id=invoice.id,
                actor_id=actor_id,
                at=now,
            )
            uow.commit()
        return paid
