"""How billing's domain errors appear to API clients."""

from __future__ import annotations

from adapters.platform.rest.problems import NOT_FOUND, DomainProblem, ProblemType
from contexts.billing.domain import errors

SUBSCRIPTION_EXISTS = ProblemType(409, "subscription-exists", "Already subscribed.")
INVOICE_NOT_PAYABLE = ProblemType(409, "invoice-not-payable", "The invoice cannot be paid.")
INVOICE_NOT_VOIDABLE = ProblemType(409, "invoice-not-voidable", "The invoice cannot be voided.")
INSUFFICIENT_FUNDS = ProblemType(409, "insufficient-funds", "Insufficient funds.")
CURRENCY_MISMATCH = ProblemType(409, "currency-mismatch", "Currencies differ.")

PROBLEMS = (
    DomainProblem(errors.DuplicateSubscription, SUBSCRIPTION_EXISTS),
    DomainProblem(errors.SubscriptionNotFound, NOT_FOUND),
    DomainProblem(errors.InvoiceNotFound, NOT_FOUND),
    DomainProblem(errors.InvoiceNotPayable, INVOICE_NOT_PAYABLE),
    DomainProblem(errors.InvoiceNotVoidable, INVOICE_NOT_VOIDABLE),
    DomainProblem(errors.InsufficientFunds, INSUFFICIENT_FUNDS),
    DomainProblem(errors.CurrencyMismatch, CURRENCY_MISMATCH),
)
