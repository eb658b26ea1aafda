"""Who may call organizations' routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from kernel.tenancy import Role
from tests.api.route_policies import USER, ObjectFactory, Policy, WorldSetup

ROUTES: dict[str, Policy] = {
    "orgs": {"GET": (USER, None), "POST": (USER, {"name": "Matrix Inc"})},
    "org": {"GET": (Role.MEMBER, None), "PATCH": (Role.ADMIN, {"name": "Renamed"})},
    "org-members": {
        "GET": (Role.MEMBER, None),
        "POST": (Role.ADMIN, {"email": "{stranger_email}", "role": "member"}),
    },
    "org-member": {"PATCH": (Role.ADMIN, {"role": "admin"}), "DELETE": (Role.ADMIN, None)},
}


def member_objects(world: WorldSetup) -> tuple[int, int]:
    return world.users["member"].pk, world.users["foreign_member"].pk


OBJECT_PARAMETERS: dict[str, ObjectFactory] = {"user_id": member_objects}
