"""The integration events billing records in its outbox (``kernel.events``): ids only, never
an address. The handlers (``application/handlers.py``) read the invoice and the recipients as
they are when they run."""

from __future__ import annotations

from typing import ClassVar

import attrs

from kernel.events import Event


@attrs.frozen
class InvoiceIssued(Event):
    """Staff issued an invoice; the organization's owners and admins are told."""

    name: ClassVar[str] = "billing.invoice_issued"

    organization_id: int
    invoice_id: int


@attrs.frozen
class InvoicePaid(Event):
    """An admin paid an invoice from the account; the payer gets a receipt."""

    name: ClassVar[str] = "billing.invoice_paid"

    organization_id: int
    invoice_id: int
    payer_id: int
