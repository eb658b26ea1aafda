"""How billing's domain errors appear to API clients."""

from __future__ import annotations

from adapters.platform.rest.problems import NOT_FOUND, ProblemType, register_domain_problem
from contexts.billing.domain import errors

SUBSCRIPTION_EXISTS = ProblemType(409, "subscription-exists", "Already subscribed.")
INVOICE_NOT_PAYABLE = ProblemType(409, "invoice-not-payable", "The invoice cannot be paid.")
INVOICE_NOT_VOIDABLE = ProblemType(409, "invoice-not-voidable", "The invoice cannot be voided.")
INSUFFICIENT_FUNDS = ProblemType(409, "insufficient-funds", "Insufficient funds.")
CURRENCY_MISMATCH = ProblemType(409, "currency-mismatch", "Currencies differ.")


def register() -> None:
    register_domain_problem(errors.DuplicateSubscription, SUBSCRIPTION_EXISTS)
    register_domain_problem(errors.SubscriptionNotFound, NOT_FOUND)
    register_domain_problem(errors.AccountNotFound, NOT_FOUND)
    register_domain_problem(errors.InvoiceNotFound, NOT_FOUND)
    register_domain_problem(errors.InvoiceNotPayable, INVOICE_NOT_PAYABLE)
    register_domain_problem(errors.InvoiceNotVoidable, INVOICE_NOT_VOIDABLE)
    register_domain_problem(errors.InsufficientFunds, INSUFFICIENT_FUNDS)
    register_domain_problem(errors.CurrencyMismatch, CURRENCY_MISMATCH)
