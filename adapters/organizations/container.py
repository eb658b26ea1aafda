"""Organizations' dependency-injection container."""

from dependency_injector import containers, providers

from adapters.organizations.repositories import DjangoOrganizationsUnitOfWork
from contexts.organizations.api import OrganizationsApi
from contexts.organizations.application.ports import EventPublisher, UserDirectory
from contexts.organizations.application.services import OrganizationService


class OrganizationsContainer(containers.DeclarativeContainer):
    # Ports provided by the composition root from other contexts' api.py.
    users: providers.Dependency[UserDirectory] = providers.Dependency()
    events: providers.Dependency[EventPublisher] = providers.Dependency()

    uow = providers.Factory(DjangoOrganizationsUnitOfWork)
    service = providers.Factory(OrganizationService, uow=uow, users=users, events=events)
    api = providers.Factory(OrganizationsApi, uow_factory=uow.provider)
