"""The work items context's public face for other contexts: plain data in, plain data out.

Another context that needs work items declares a port of its own; the composition root
(``src/container.py``, ``CONNECTIONS``) connects that port to this class.
"""

from __future__ import annotations

from collections.abc import Callable

from contexts.work_items.application.services import WorkItemService
from contexts.work_items.domain.model import WorkItemId
from kernel.tenancy import OrganizationId


class WorkItemsApi:
    def __init__(self, *, work_items: Callable[[], WorkItemService]) -> None:
        self._work_items = work_items

    def name_of(self, *, organization_id: OrganizationId, work_item_id: WorkItemId) -> str | None:
        """The name of the organization's work item, or None if it has none of this id (another
        organization's included: callers cannot tell the difference)."""
        return self._work_items().name_of(
            organization_id=organization_id, work_item_id=work_item_id
        )
