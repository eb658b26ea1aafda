"""Billing's dependency-injection container."""

from dependency_injector import containers, providers
from django.conf import settings

from adapters.billing.email import DjangoInvoiceEmails
from adapters.billing.repositories import DjangoBillingUnitOfWork
from adapters.platform.clock import DjangoClock
from contexts.billing.api import BillingApi
from contexts.billing.application.handlers import OpenAccount, SendInvoiceIssuedEmails, SendReceipt
from contexts.billing.application.ports import OrganizationDirectory, UserDirectory
from contexts.billing.application.services import (
    AccountService,
    InvoiceService,
    PlanService,
    SubscriptionService,
)


class BillingContainer(containers.DeclarativeContainer):
    # Ports provided by the composition root (src/container.py): organizations' and identity's
    # apis, for the invoice emails' recipients.
    organizations: providers.Dependency[OrganizationDirectory] = providers.Dependency()
    users: providers.Dependency[UserDirectory] = providers.Dependency()

    clock = providers.Factory(DjangoClock)
    invoice_emails = providers.Factory(DjangoInvoiceEmails)
    uow = providers.Factory(DjangoBillingUnitOfWork)
    # Read when an account service is made, so that a settings override applies.
    currency = providers.Callable(lambda: str(settings.BILLING_CURRENCY))

    plan_service = providers.Factory(PlanService, uow=uow)
    subscription_service = providers.Factory(SubscriptionService, uow=uow, clock=clock)
    account_service = providers.Factory(AccountService, uow=uow, clock=clock, currency=currency)
    invoice_service = providers.Factory(InvoiceService, uow=uow, clock=clock)
    # What other contexts may ask of billing (wired to their ports by the composition root).
    api = providers.Factory(BillingApi, accounts=account_service.provider)
    # Reactions to other contexts' events (BillingConfig.subscriptions).
    open_account = providers.Factory(OpenAccount, accounts=account_service)
    # Outbox handlers (BillingConfig.outbox_handlers): the invoice emails, after the commit.
    send_invoice_issued_emails = providers.Factory(
        SendInvoiceIssuedEmails, uow=uow, organizations=organizations, emails=invoice_emails
    )
    send_receipt = providers.Factory(
        SendReceipt, uow=uow, organizations=organizations, users=users, emails=invoice_emails
    )
