"""Errors that billing's rules raise, worded for the client."""

from __future__ import annotations

from kernel.errors import DomainError, InvalidField


class BillingError(DomainError):
    """Base of every billing error, so adapters can map the whole family at once."""


class InvalidInput(InvalidField, BillingError):
    """A value breaks a rule; ``field`` names the request field it came from."""


class PlanNotFound(InvalidInput):
    def __init__(self) -> None:
        super().__init__(field="plan", message="No plan with this code is on offer.")


class DuplicateSubscription(BillingError):
    message = "You already hold an active subscription of this plan type."


class SubscriptionNotFound(BillingError):
    message = "No such subscription."


class InvoiceNotFound(BillingError):
    message = "No such invoice."


class InvoiceNotPayable(BillingError):
    """Paid or void invoices cannot be paid (again)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"The invoice is {status}; only open invoices can be paid.")
        self.status = status


class InvoiceNotVoidable(BillingError):
    def __init__(self, status: str) -> None:
        super().__init__(f"The invoice is {status}; only open invoices can be voided.")
        self.status = status


class InsufficientFunds(BillingError):
    def __init__(self, *, balance_cents: int, amount_cents: int) -> None:
        super().__init__(
            f"The account holds {balance_cents} but the invoice needs {amount_cents} (minor units)."
        )
        self.balance_cents = balance_cents
        self.amount_cents = amount_cents


class CurrencyMismatch(BillingError):
    message = "The invoice's currency differs from the account's."
