"""Who may call the work items routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from adapters.work_items.models import WorkItem
from kernel.tenancy import Role
from tests.api.route_policies import ObjectFactory, Policy, WorldSetup

ROUTES: dict[str, Policy] = {
    "work-items": {
        "GET": (Role.MEMBER, None),
        "POST": (Role.ADMIN, {"name": "Created by the matrix"}),
    },
    "work-item": {
        "GET": (Role.MEMBER, None),
        "PATCH": (Role.ADMIN, {"name": "Renamed by the matrix"}),
        "DELETE": (Role.ADMIN, None),
    },
}


def work_item_objects(world: WorldSetup) -> tuple[int, int]:
    own, foreign = (
        WorkItem.objects.create(organization_id=organization_id, name="In the matrix").pk
        for organization_id in (world.org, world.foreign_org)
    )
    return own, foreign


OBJECT_PARAMETERS: dict[str, ObjectFactory] = {"work_item_id": work_item_objects}
