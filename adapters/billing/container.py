"""Billing's dependency-injection container."""

from dependency_injector import containers, providers
from django.conf import settings

from adapters.billing.repositories import DjangoBillingUnitOfWork
from adapters.platform.clock import DjangoClock
from contexts.billing.api import BillingApi
from contexts.billing.application.handlers import OpenAccount
from contexts.billing.application.services import (
    AccountService,
    InvoiceService,
    PlanService,
    SubscriptionService,
)


class BillingContainer(containers.DeclarativeContainer):
    clock = providers.Factory(DjangoClock)
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
