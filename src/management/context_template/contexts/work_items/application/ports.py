"""What the work items services need from outside, as ``typing.Protocol`` ports."""

from __future__ import annotations

from typing import Protocol

from contexts.work_items.domain.model import WorkItem, WorkItemId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId
from kernel.unit_of_work import UnitOfWork


class WorkItemRepository(Protocol):
    """Every method takes the organization: another organization's work item is not found,
    exactly like one that does not exist."""

    def add(self, *, organization_id: OrganizationId, name: str) -> WorkItem:
        """Store a new work item; ``WorkItemNameTaken`` if the organization has one of this
        name already (enforced by the database, also under races)."""
        ...

    def get(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> WorkItem:
        """The organization's work item, or ``WorkItemNotFound``."""
        ...

    def lock(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> WorkItem:
        """As ``get``, and locked until the unit of work ends: what a change starts from."""
        ...

    def save(self, work_item: WorkItem) -> None:
        """Store a locked work item's changes; ``WorkItemNameTaken`` if its name is taken."""
        ...

    def remove(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> None:
        """Delete the organization's work item, or ``WorkItemNotFound``."""
        ...

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[WorkItem]:
        """The organization's work items, newest first."""
        ...


class WorkItemsUnitOfWork(UnitOfWork, Protocol):
    @property
    def work_items(self) -> WorkItemRepository: ...
