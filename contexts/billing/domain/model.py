"""Plans and subscriptions (per user), invoices and prepaid accounts (per organization).

Money is always an integer number of minor units (``amount_cents``) with an ISO 4217 currency
code; never a float.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import NewType

import attrs

from contexts.billing.domain.errors import (
    CurrencyMismatch,
    InsufficientFunds,
    InvalidInput,
    InvoiceNotPayable,
)
from kernel.actors import UserId
from kernel.tenancy import OrganizationId

SubscriptionId = NewType("SubscriptionId", int)
InvoiceId = NewType("InvoiceId", int)

# The largest single credit or invoice: 10 million in major units. Bounds mistakes (an extra
# digit or three) and keeps sums far away from 64-bit limits.
MAX_AMOUNT_CENTS = 1_000_000_000
DESCRIPTION_MAX_LENGTH = 500
PLAN_CODE_MAX_LENGTH = 50
# ISO 4217: three capital letters.
CURRENCY_PATTERN = "^[A-Z]{3}$"
CURRENCY_MESSAGE = "Must be an ISO 4217 code such as EUR."
_CURRENCY = re.compile(CURRENCY_PATTERN)


def check_amount(amount_cents: int, *, field: str = "amount_cents") -> None:
    if not 1 <= amount_cents <= MAX_AMOUNT_CENTS:
        raise InvalidInput(
            field=field, message=f"Must be a whole number from 1 to {MAX_AMOUNT_CENTS}."
        )


def check_currency(currency: str, *, field: str = "currency") -> None:
    if not _CURRENCY.match(currency):
        raise InvalidInput(field=field, message=CURRENCY_MESSAGE)


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


@attrs.frozen
class Plan:
    code: str
    name: str
    plan_type: str
    price_cents: int
    currency: str
    interval: Interval


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@attrs.frozen
class Subscription:
    """A user's subscription to a plan. A user holds at most one *active* subscription per plan
    type; cancelling (DELETE) frees the plan type for a new subscription and keeps the record."""

    id: SubscriptionId
    user_id: UserId
    plan: str
    plan_type: str
    start_date: date
    end_date: date
    status: SubscriptionStatus


def check_period(start_date: date, end_date: date) -> None:
    if end_date <= start_date:
        raise InvalidInput(field="end_date", message="The end date must be after the start date.")


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    VOID = "void"


@attrs.frozen
class Invoice:
    id: InvoiceId
    organization_id: OrganizationId
    number: int
    amount_cents: int
    currency: str
    status: InvoiceStatus
    due_date: date
    description: str
    issued_at: datetime
    paid_at: datetime | None


class EntryKind(StrEnum):
    CREDIT = "credit"
    INVOICE_PAYMENT = "invoice_payment"


@attrs.frozen
class LedgerEntry:
    """One change of an account's balance. Entries are only ever appended; the balance always
    equals the sum of its account's entries."""

    id: int
    amount_cents: int  # signed: credits positive, payments negative
    kind: EntryKind
    invoice_id: InvoiceId | None
    created_at: datetime


@attrs.define(eq=False)
class Account:
    """An organization's prepaid account. Its balance never goes below zero."""

    organization_id: OrganizationId
    balance_cents: int
    currency: str

    def credit(self, amount_cents: int) -> None:
        check_amount(amount_cents)
        self.balance_cents += amount_cents

    def pay(self, invoice: Invoice) -> None:
        """Debit the invoice's amount; the caller marks the invoice paid in the same unit of
        work."""
        if invoice.status is not InvoiceStatus.OPEN:
            raise InvoiceNotPayable(invoice.status.value)
        if invoice.currency != self.currency:
            raise CurrencyMismatch()
        if invoice.amount_cents > self.balance_cents:
            raise InsufficientFunds(
                balance_cents=self.balance_cents, amount_cents=invoice.amount_cents
            )
        self.balance_cents -= invoice.amount_cents
