"""Billing's emails (``InvoiceEmails``): plain text, rendered from ``templates/billing/email/``
and sent by ``adapters.platform.email``, one message per recipient (no one sees another's
address)."""

from __future__ import annotations

from typing import Any

from adapters.platform.email import send_email
from contexts.billing.application.ports import Contact
from contexts.billing.domain.model import Invoice


def _money(cents: int, currency: str) -> str:
    """12900, "EUR" → "129.00 EUR" (every supported currency has two decimals)."""
    return f"{cents // 100:,}.{cents % 100:02d} {currency}"


def _context(invoice: Invoice, organization_name: str, to: Contact) -> dict[str, Any]:
    return {
        "name": to.name,
        "organization": organization_name,
        "number": invoice.number,
        "amount": _money(invoice.amount_cents, invoice.currency),
        "due_date": invoice.due_date.isoformat(),
        "description": invoice.description,
        "paid_at": invoice.paid_at.strftime("%Y-%m-%d %H:%M UTC") if invoice.paid_at else "",
    }


class DjangoInvoiceEmails:
    def send_invoice_issued(self, *, invoice: Invoice, organization_name: str, to: Contact) -> None:
        send_email(
            template="billing/email/invoice_issued",
            context=_context(invoice, organization_name, to),
            to=to.email,
        )

    def send_receipt(self, *, invoice: Invoice, organization_name: str, to: Contact) -> None:
        send_email(
            template="billing/email/invoice_paid",
            context=_context(invoice, organization_name, to),
            to=to.email,
        )
