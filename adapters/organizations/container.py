"""Organizations' dependency-injection container."""

from dependency_injector import containers, providers

from adapters.organizations.repositories import DjangoOrganizationsUnitOfWork
from contexts.organizations.api import OrganizationsApi
from contexts.organizations.application.ports import EventPublisher, UserDirectory
from contexts.organizations.application.services import MembershipService, OrganizationService


class OrganizationsContainer(containers.DeclarativeContainer):
    # Ports provided by the composition root: identity's api, and the event bus.
    users: providers.Dependency[UserDirectory] = providers.Dependency()
    events: providers.Dependency[EventPublisher] = providers.Dependency()

    uow = providers.Factory(DjangoOrganizationsUnitOfWork)

    organization_service = providers.Factory(OrganizationService, uow=uow, events=events)
    membership_service = providers.Factory(MembershipService, uow=uow, users=users)
    # What other contexts may ask of organizations (wired to their ports by the composition root).
    api = providers.Factory(OrganizationsApi, memberships=membership_service.provider)
