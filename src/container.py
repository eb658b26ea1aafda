"""The composition root: one container per context, composed and cross-wired here.

This is the one place that knows every concrete class. A context that needs another declares a
port; this module connects the port to the other context's ``api.py`` provider.
"""

from __future__ import annotations

from types import ModuleType

from dependency_injector import containers, providers

from adapters.identity import views as identity_views
from adapters.identity.container import IdentityContainer
from adapters.organizations import views as organizations_views
from adapters.organizations.container import OrganizationsContainer
from adapters.platform import tenancy
from adapters.platform.tenancy import TenancyContainer
from src.events import EventBus


class ApplicationContainer(containers.DeclarativeContainer):
    events = providers.Singleton(EventBus)

    identity = providers.Container(IdentityContainer)
    organizations = providers.Container(OrganizationsContainer, users=identity.api, events=events)
    # The tenancy glue asks organizations for roles, through its own port.
    tenancy = providers.Container(TenancyContainer, memberships=organizations.api)


def views_to_wire(
    container: ApplicationContainer,
) -> list[tuple[containers.Container, list[ModuleType]]]:
    """Which modules each context container injects into."""
    return [
        (container.identity.container, [identity_views]),
        (container.organizations.container, [organizations_views]),
        (container.tenancy.container, [tenancy]),
    ]


def build_container() -> ApplicationContainer:
    """Create the application container and wire every context's views to its own container.

    Each sub-container instance is wired itself: markers such as
    ``Provide[IdentityContainer.service]`` resolve against it, and overrides made on it in tests
    reach the views.
    """
    container = ApplicationContainer()
    for context_container, modules in views_to_wire(container):
        context_container.wire(modules=modules, warn_unresolved=True)
    return container


# Set by CompositionRootConfig.ready(); tests override providers on it.
application: ApplicationContainer
