"""The work items use cases: any member reads an organization's work items, admins and owners
create, change and delete them.

Each use case checks the actor's role itself (``Actor.require_role``), also when the view did:
a view that declared too low a role cannot open it up. Every read and write is scoped to the
organization in the query itself (the repository takes it).
"""

from __future__ import annotations

from contexts.work_items.application.ports import WorkItemsUnitOfWork
from contexts.work_items.domain.errors import WorkItemNotFound
from contexts.work_items.domain.model import WorkItem, WorkItemId, check_name
from kernel.actors import Actor
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, Role


class WorkItemService:
    """An organization's work items: names are unique within the organization."""

    def __init__(self, *, uow: WorkItemsUnitOfWork) -> None:
        self._uow = uow

    # Reads need no unit of work: each is one query, atomic by itself, and skipping the
    # transaction saves two round trips per request.

    def list(
        self, *, actor: Actor, organization_id: OrganizationId, page: PageRequest
    ) -> Page[WorkItem]:
        """The organization's work items, newest first (any member)."""
        actor.require_role(organization_id, Role.MEMBER)
        return self._uow.work_items.list_page(organization_id, page)

    def get(
        self, *, actor: Actor, organization_id: OrganizationId, work_item_id: WorkItemId
    ) -> WorkItem:
        actor.require_role(organization_id, Role.MEMBER)
        return self._uow.work_items.get(organization_id, work_item_id)

    def create(self, *, actor: Actor, organization_id: OrganizationId, name: str) -> WorkItem:
        """Create one work item (admins and owners); the name is checked before anything is
        written, its uniqueness by the database."""
        actor.require_role(organization_id, Role.ADMIN)
        check_name(name)
        with self._uow as uow:
            work_item = uow.work_items.add(organization_id=organization_id, name=name)
            uow.commit()
        return work_item

    def update(
        self,
        *,
        actor: Actor,
        organization_id: OrganizationId,
        work_item_id: WorkItemId,
        name: str | None = None,
    ) -> WorkItem:
        """Change the given fields (admins and owners); fields left as None keep their value.
        An empty change is a plain read, under the same role rule."""
        actor.require_role(organization_id, Role.ADMIN)
        if name is None:
            return self._uow.work_items.get(organization_id, work_item_id)
        with self._uow as uow:
            work_item = uow.work_items.lock(organization_id, work_item_id)
            work_item.rename(name)
            uow.work_items.save(work_item)
            uow.commit()
        return work_item

    def delete(
        self, *, actor: Actor, organization_id: OrganizationId, work_item_id: WorkItemId
    ) -> None:
        """Delete one work item (admins and owners)."""
        actor.require_role(organization_id, Role.ADMIN)
        with self._uow as uow:
            uow.work_items.remove(organization_id, work_item_id)
            uow.commit()

    def name_of(self, *, organization_id: OrganizationId, work_item_id: WorkItemId) -> str | None:
        """For other contexts, which checked their caller's access themselves: the work item's
        name, or None if the organization has no such work item."""
        try:
            return self._uow.work_items.get(organization_id, work_item_id).name
        except WorkItemNotFound:
            return None
