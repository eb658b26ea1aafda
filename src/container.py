"""The composition root: one container per context, composed and cross-wired here.

This is the one place that knows every concrete class. A context that needs another declares a
port; this module connects the port to the other context's ``api.py`` provider.
"""

from __future__ import annotations

from types import ModuleType

from dependency_injector import containers, providers
from django.conf import settings

from adapters.billing import views as billing_views
from adapters.billing.container import BillingContainer
from adapters.identity import views as identity_views
from adapters.identity.container import IdentityContainer
from adapters.organizations import views as organizations_views
from adapters.organizations.container import OrganizationsContainer
from adapters.platform.tenancy import views as tenancy_views
from adapters.platform.tenancy.container import TenancyContainer
from contexts.organizations.domain.events import OrganizationCreated
from src.events import EventBus


class ApplicationContainer(containers.DeclarativeContainer):
    events = providers.Singleton(EventBus)

    identity = providers.Container(IdentityContainer)
    organizations = providers.Container(OrganizationsContainer, users=identity.api, events=events)
    billing = providers.Container(BillingContainer)
    # The tenancy glue asks organizations for roles, through its own port; billing's routes are
    # protected by it, so billing never imports organizations.
    tenancy = providers.Container(TenancyContainer, memberships=organizations.api)
    # startcontext: containers (`manage.py startcontext` adds each new context above)


def views_to_wire(
    container: ApplicationContainer,
) -> list[tuple[containers.Container, list[ModuleType]]]:
    """Which modules each context container injects into."""
    return [
        (container.identity.container, [identity_views]),
        (container.organizations.container, [organizations_views]),
        (container.billing.container, [billing_views]),
        (container.tenancy.container, [tenancy_views]),
        # startcontext: views to wire (`manage.py startcontext` adds each new context above)
    ]


def subscribe_handlers(container: ApplicationContainer) -> None:
    """Who reacts to which event. Handlers run inside the publisher's transaction."""
    bus = container.events()

    def open_account(event: OrganizationCreated) -> None:
        container.billing.api().open_account(event.organization_id)

    bus.subscribe(OrganizationCreated, open_account)


def build_container(*, wire: bool = True) -> ApplicationContainer:
    """Create the application container and wire every context's views to its own container.

    Each sub-container instance is wired itself: markers such as
    ``Provide[IdentityContainer.service]`` resolve against it, and overrides made on it in tests
    reach the views.
    """
    container = ApplicationContainer()
    container.billing.container.config.currency.from_value(settings.BILLING_CURRENCY)
    subscribe_handlers(container)
    if wire:
        wiring = views_to_wire(container)
        for index, (context_container, modules) in enumerate(wiring):
            # The views share DRF's base classes: what wiring learns of their methods is kept
            # for the next context, and dropped after the last.
            last = index == len(wiring) - 1
            context_container.wire(
                modules=[_own_members(module) for module in modules],
                warn_unresolved=True,
                keep_cache=not last,
            )
    return container


def _own_members(module: ModuleType) -> ModuleType:
    """``module`` as wiring needs to see it: only what the module itself defines.

    ``wire()`` walks every member of every class it finds in a module. In a views module more
    than half of those are imported (DRF's classes, fields, services, enums), none of them holds
    an ``@inject`` method, and walking them cost about 14 ms of every start.
    """
    own = ModuleType(module.__name__, module.__doc__)
    own.__dict__.update(
        (name, value)
        for name, value in vars(module).items()
        if getattr(value, "__module__", None) == module.__name__
    )
    return own


# Set by CompositionRootConfig.ready(); tests override providers on it.
application: ApplicationContainer
