"""How billing reacts to events (``adapters/billing/apps.py``): other contexts' in-process
events, and its own integration events after the commit (the invoice emails)."""

from __future__ import annotations

from contexts.billing.application.ports import (
    BillingUnitOfWork,
    InvoiceEmails,
    OrganizationDirectory,
    UserDirectory,
)
from contexts.billing.application.services import AccountService
from contexts.billing.domain.model import InvoiceId
from kernel.actors import UserId
from kernel.events import Payload
from kernel.tenancy import OrganizationId


class OpenAccount:
    """``organizations.organization_created`` → the new organization's prepaid account."""

    def __init__(self, *, accounts: AccountService) -> None:
        self._accounts = accounts

    def __call__(self, payload: Payload) -> None:
        self._accounts.open(organization_id=OrganizationId(int(payload["organization_id"])))


class SendInvoiceIssuedEmails:
    """``billing.invoice_issued`` (outbox) → an email to each owner and admin of the
    organization, as they are when it runs."""

    def __init__(
        self,
        *,
        uow: BillingUnitOfWork,
        organizations: OrganizationDirectory,
        emails: InvoiceEmails,
    ) -> None:
        self._uow = uow
        self._organizations = organizations
        self._emails = emails

    def __call__(self, payload: Payload) -> None:
        organization_id = OrganizationId(int(payload["organization_id"]))
        invoice = self._uow.invoices.get(organization_id, InvoiceId(int(payload["invoice_id"])))
        organization = self._organizations.describe_organization(organization_id=organization_id)
        if organization is None:
            return
        for administrator in organization.administrators:
            self._emails.send_invoice_issued(
                invoice=invoice, organization_name=organization.name, to=administrator
            )


class SendReceipt:
    """``billing.invoice_paid`` (outbox) → a receipt to the user who paid."""

    def __init__(
        self,
        *,
        uow: BillingUnitOfWork,
        organizations: OrganizationDirectory,
        users: UserDirectory,
        emails: InvoiceEmails,
    ) -> None:
        self._uow = uow
        self._organizations = organizations
        self._users = users
        self._emails = emails

    def __call__(self, payload: Payload) -> None:
        organization_id = OrganizationId(int(payload["organization_id"]))
        invoice = self._uow.invoices.get(organization_id, InvoiceId(int(payload["invoice_id"])))
        payer_id = UserId(int(payload["payer_id"]))
        payer = self._users.describe_users(user_ids=[payer_id]).get(payer_id)
        organization = self._organizations.describe_organization(organization_id=organization_id)
        if payer is None or organization is None:
            return  # the account or the organization is gone: no one to send it to
        self._emails.send_receipt(invoice=invoice, organization_name=organization.name, to=payer)
