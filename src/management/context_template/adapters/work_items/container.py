"""The work items dependency-injection container."""

from dependency_injector import containers, providers

from adapters.work_items.repositories import DjangoWorkItemsUnitOfWork
from contexts.work_items.api import WorkItemsApi
from contexts.work_items.application.services import WorkItemService


class WorkItemsContainer(containers.DeclarativeContainer):
    uow = providers.Factory(DjangoWorkItemsUnitOfWork)

    work_item_service = providers.Factory(WorkItemService, uow=uow)
    # What other contexts may ask of work items (wired to their ports by the composition root).
    api = providers.Factory(WorkItemsApi, work_items=work_item_service.provider)
