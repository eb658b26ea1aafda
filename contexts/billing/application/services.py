"""Billing's use cases. Every balance change locks the account row, changes the balance and
appends the ledger entry in one unit of work, so the balance always equals the ledger's sum.

Organization-scoped use cases check the actor's role themselves (``Actor.require_role``), also
when the view did: a view that declared too low a role cannot open them up.
"""

from __future__ import annotations

from datetime import date

import attrs

from contexts.billing.application.ports import BillingUnitOfWork, Clock
from contexts.billing.domain.errors import (
    DuplicateSubscription,
    InvalidInput,
    InvoiceNotVoidable,
)
from contexts.billing.domain.events import InvoiceIssued, InvoicePaid
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
from kernel.actors import Actor
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, Role


@attrs.frozen
class CreditResult:
    entry: LedgerEntry
    balance_cents: int


class PlanService:
    """The plan catalogue."""

    def __init__(self, *, uow: BillingUnitOfWork) -> None:
        self._uow = uow

    def list(self, *, actor: Actor, page: PageRequest) -> Page[Plan]:
        """The plans on offer (every user may see them)."""
        return self._uow.plans.list_page(page)


class SubscriptionService:
    """A user's own subscriptions: one active per plan type."""

    def __init__(self, *, uow: BillingUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def list(self, *, actor: Actor, page: PageRequest) -> Page[Subscription]:
        return self._uow.subscriptions.list_for_user(actor.user_id, page)

    def subscribe(
        self, *, actor: Actor, plan_code: str, start_date: date, end_date: date
    ) -> Subscription:
        check_period(start_date, end_date)
        with self._uow as uow:
            plan = uow.plans.get_on_offer(plan_code)
            if uow.subscriptions.has_active(actor.user_id, plan.plan_type):
                raise DuplicateSubscription()
            subscription = uow.subscriptions.add(
                user_id=actor.user_id, plan=plan, start_date=start_date, end_date=end_date
            )
            uow.commit()
        return subscription

    def cancel(self, *, actor: Actor, subscription_id: SubscriptionId) -> None:
        """Cancel one's own subscription. Cancelling twice changes nothing."""
        with self._uow as uow:
            subscription = uow.subscriptions.get_for_user(actor.user_id, subscription_id)
            if subscription.status is SubscriptionStatus.ACTIVE:
                uow.subscriptions.cancel(subscription, self._clock.now())
                uow.commit()


class AccountService:
    """An organization's prepaid account and its ledger."""

    def __init__(self, *, uow: BillingUnitOfWork, clock: Clock, currency: str) -> None:
        self._uow = uow
        self._clock = clock
        self._currency = currency

    def open(self, *, organization_id: OrganizationId) -> None:
        """Open an organization's account (at its creation). Opening twice is harmless."""
        with self._uow as uow:
            uow.accounts.open(organization_id, self._currency)
            uow.commit()

    def get(self, *, actor: Actor, organization_id: OrganizationId) -> Account:
        actor.require_role(organization_id, Role.ADMIN)
        return self._uow.accounts.get(organization_id)

    def list_entries(
        self, *, actor: Actor, organization_id: OrganizationId, page: PageRequest
    ) -> Page[LedgerEntry]:
        actor.require_role(organization_id, Role.ADMIN)
        self._uow.accounts.get(organization_id)
        return self._uow.ledger.list_page(organization_id, page)

    def add_credit(
        self, *, actor: Actor, organization_id: OrganizationId, amount_cents: int
    ) -> CreditResult:
        """Add credit to the account (owners)."""
        actor.require_role(organization_id, Role.OWNER)
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
                actor_id=actor.user_id,
                at=self._clock.now(),
            )
            uow.commit()
        return CreditResult(entry, account.balance_cents)


class InvoiceService:
    """An organization's invoices: issued by staff, paid from the account by admins."""

    def __init__(self, *, uow: BillingUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def issue(
        self,
        *,
        actor: Actor,
        organization_id: OrganizationId,
        amount_cents: int,
        currency: str,
        due_date: date,
        description: str = "",
    ) -> Invoice:
        """Issue an invoice (staff). Numbers count up per organization, without gaps."""
        actor.require_staff()
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
            uow.outbox.record(InvoiceIssued(organization_id=organization_id, invoice_id=invoice.id))
            uow.commit()
        return invoice

    def get(
        self, *, actor: Actor, organization_id: OrganizationId, invoice_id: InvoiceId
    ) -> Invoice:
        actor.require_role(organization_id, Role.ADMIN)
        return self._uow.invoices.get(organization_id, invoice_id)

    def list(
        self,
        *,
        actor: Actor,
        organization_id: OrganizationId,
        status: InvoiceStatus | None,
        page: PageRequest,
    ) -> Page[Invoice]:
        actor.require_role(organization_id, Role.ADMIN)
        return self._uow.invoices.list_page(organization_id, status, page)

    def void(
        self, *, actor: Actor, organization_id: OrganizationId, invoice_id: InvoiceId
    ) -> Invoice:
        """Cancel an open invoice (staff, from the admin). No money moves."""
        actor.require_staff()
        with self._uow as uow:
            invoice = uow.invoices.lock(organization_id, invoice_id)
            if invoice.status is not InvoiceStatus.OPEN:
                raise InvoiceNotVoidable(invoice.status.value)
            voided = uow.invoices.mark_void(invoice)
            uow.commit()
        return voided

    def pay(
        self, *, actor: Actor, organization_id: OrganizationId, invoice_id: InvoiceId
    ) -> Invoice:
        """Pay an open invoice from the organization's prepaid account (admins)."""
        actor.require_role(organization_id, Role.ADMIN)
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
                actor_id=actor.user_id,
                at=now,
            )
            uow.outbox.record(
                InvoicePaid(
                    organization_id=organization_id, invoice_id=invoice.id, payer_id=actor.user_id
                )
            )
            uow.commit()
        return paid
