"""Billing's dependency-injection container."""

from dependency_injector import containers, providers

from adapters.billing.repositories import DjangoBillingUnitOfWork
from adapters.platform.clock import DjangoClock
from contexts.billing.api import BillingApi
from contexts.billing.application.services import (
    AccountService,
    InvoiceService,
    SubscriptionService,
)


class BillingContainer(containers.DeclarativeContainer):
    config = providers.Configuration()

    clock = providers.Factory(DjangoClock)
    uow = providers.Factory(DjangoBillingUnitOfWork)

    subscriptions = providers.Factory(SubscriptionService, uow=uow, clock=clock)
    invoices = providers.Factory(InvoiceService, uow=uow, clock=clock)
    accounts = providers.Factory(
        AccountService, uow=uow, clock=clock, currency=config.currency.required()
    )
    api = providers.Factory(BillingApi, accounts=accounts.provider)
