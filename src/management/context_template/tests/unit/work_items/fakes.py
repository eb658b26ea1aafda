"""In-memory implementations of the work items ports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from contexts.work_items.domain.errors import WorkItemNameTaken, WorkItemNotFound
from contexts.work_items.domain.model import WorkItem, WorkItemId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId
from tests.unit.fakes import FakeUnitOfWork

START = datetime(2026, 1, 1, 12, tzinfo=UTC)


class FakeWorkItemRepository:
    def __init__(self) -> None:
        self.rows: dict[WorkItemId, WorkItem] = {}

    def _taken(self, organization_id: OrganizationId, name: str, besides: int = 0) -> bool:
        return any(
            row.organization_id == organization_id and row.name == name and row.id != besides
            for row in self.rows.values()
        )

    def add(self, *, organization_id: OrganizationId, name: str) -> WorkItem:
        if self._taken(organization_id, name):
            raise WorkItemNameTaken()
        work_item_id = WorkItemId(len(self.rows) + 1)
        created_at = START + timedelta(seconds=work_item_id)
        self.rows[work_item_id] = WorkItem(work_item_id, organization_id, name, created_at)
        return attrs.evolve(self.rows[work_item_id])

    def get(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> WorkItem:
        row = self.rows.get(work_item_id)
        if row is None or row.organization_id != organization_id:
            raise WorkItemNotFound()
        return attrs.evolve(row)  # a copy, as a database would give

    def lock(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> WorkItem:
        return self.get(organization_id, work_item_id)

    def save(self, work_item: WorkItem) -> None:
        if self._taken(work_item.organization_id, work_item.name, besides=work_item.id):
            raise WorkItemNameTaken()
        self.rows[work_item.id] = attrs.evolve(work_item)

    def remove(self, organization_id: OrganizationId, work_item_id: WorkItemId) -> None:
        self.get(organization_id, work_item_id)
        del self.rows[work_item_id]

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[WorkItem]:
        """Newest first; the cursor is simply an offset here."""
        mine = [row for row in self.rows.values() if row.organization_id == organization_id]
        mine.sort(key=lambda row: (row.created_at, row.id), reverse=True)
        start = int(page.cursor) if page.cursor else 0
        end = start + page.size
        next_cursor = str(end) if end < len(mine) else None
        return Page([attrs.evolve(row) for row in mine[start:end]], next_cursor)


class FakeWorkItemsUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._work_items = FakeWorkItemRepository()

    @property
    def work_items(self) -> FakeWorkItemRepository:
        return self._work_items
