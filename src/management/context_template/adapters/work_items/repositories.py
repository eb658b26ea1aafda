"""The work items repository and unit of work: the only code touching the work items model.

Every query filters on the organization: another organization's id is not found, exactly like
a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from adapters.platform.persistence.scopes import scoped_by_organization, scoped_by_row
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from adapters.platform.rest.pagination import KeysetPages
from adapters.work_items import models
from contexts.work_items.domain.errors import WorkItemNameTaken, WorkItemNotFound
from contexts.work_items.domain.model import WorkItem, WorkItemId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId

# Rows are read as tuples of these columns and built into entities directly: cheaper than
# model instances, which matters on every page of a list.
COLUMNS = ("id", "organization_id", "name", "created_at")
# Newest first; the index on (organization_id, -created_at, -id) serves it.
ORDERING = ("-created_at", "-id")


def _work_item(row: tuple[Any, ...]) -> WorkItem:
    id_, organization_id, name, created_at = row
    return WorkItem(WorkItemId(id_), OrganizationId(organization_id), name, created_at)


# The list's query, compiled to SQL once and then only run (adapters/platform/rest/pagination.py).
PAGES = KeysetPages(
    lambda given: models.WorkItem.objects.filter(organization_id=given["organization_id"]),
    ordering=ORDERING,
    columns=COLUMNS,
    build=_work_item,
)


class DjangoWorkItemRepository:
    @scoped_by_organization("organization_id")
    def add(self, *, organization_id: OrganizationId, name: str) -> WorkItem:
        try:
            with transaction.atomic():
                row = models.WorkItem.objects.create(organization_id=organization_id, name=name)
        except IntegrityError as error:
            # The unique constraint: the organization has this name already (perhaps only
            # since a moment ago, from a concurrent request).
            raise WorkItemNameTaken() from error
        return WorkItem(WorkItemId(row.pk), organization_id, row.name, row.created_at)

    @scoped_by_organization("organization_id")
    def get(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> WorkItem:
        rows = models.WorkItem.objects.filter(organization_id=organization_id, pk=work_item_id)
        return self._one(rows)

    @scoped_by_organization("organization_id")
    def lock(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> WorkItem:
        rows = models.WorkItem.objects.select_for_update().filter(
            organization_id=organization_id, pk=work_item_id
        )
        return self._one(rows)

    @scoped_by_row("work_item")
    def save(self, work_item: WorkItem) -> None:
        rows = models.WorkItem.objects.filter(
            organization_id=work_item.organization_id, pk=work_item.id
        )
        try:
            with transaction.atomic():
                rows.update(name=work_item.name, updated_at=timezone.now())
        except IntegrityError as error:
            raise WorkItemNameTaken() from error

    @scoped_by_organization("organization_id")
    def remove(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> None:
        rows = models.WorkItem.objects.filter(organization_id=organization_id, pk=work_item_id)
        deleted, _ = rows.delete()
        if not deleted:
            raise WorkItemNotFound()

    @scoped_by_organization("organization_id")
    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[WorkItem]:
        return PAGES.page(page, organization_id=organization_id)

    @staticmethod
    def _one(rows: QuerySet[models.WorkItem]) -> WorkItem:
        row = rows.values_list(*COLUMNS).first()
        if row is None:
            raise WorkItemNotFound()
        return _work_item(row)


class DjangoWorkItemsUnitOfWork(DjangoUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._work_items = DjangoWorkItemRepository()

    @property
    def work_items(self) -> DjangoWorkItemRepository:
        return self._work_items
