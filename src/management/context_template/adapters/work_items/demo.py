"""The work items demo data (``manage.py seed_demo``): a few work items in each demo organization
created now, made through the service by the organization's owner."""

from __future__ import annotations

from typing import Any

from adapters.work_items.container import WorkItemsContainer
from kernel.actors import Actor
from kernel.tenancy import Role

DEMO_NAMES = ["Onboarding", "Quarterly review", "Security audit"]


def seed(*, container: WorkItemsContainer, world: dict[str, Any]) -> None:
    """``world["new_organizations"]`` (organizations' seed): name → (organization id, owner
    id) of the organizations created by this run, so a second run adds nothing."""
    service = container.work_item_service()
    for organization_id, owner_id in world.get("new_organizations", {}).values():
        owner = Actor(owner_id, roles={organization_id: Role.OWNER})
        for name in DEMO_NAMES:
            service.create(actor=owner, organization_id=organization_id, name=name)
