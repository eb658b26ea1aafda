"""Who may call organizations' routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from adapters.organizations.models import Invitation
from kernel.tenancy import Role
from tests.api.route_policies import USER, CastPart, CastStage, ObjectFactory, Policy, WorldSetup

ROUTES: dict[str, Policy] = {
    "orgs": {"GET": (USER, None), "POST": (USER, {"name": "Matrix Inc"})},
    "org": {"GET": (Role.MEMBER, None), "PATCH": (Role.ADMIN, {"name": "Renamed"})},
    "org-members": {"GET": (Role.MEMBER, None)},
    "org-member": {"PATCH": (Role.ADMIN, {"role": "admin"}), "DELETE": (Role.ADMIN, None)},
    "org-invitations": {
        "GET": (Role.ADMIN, None),
        "POST": (Role.ADMIN, {"email": "{stranger_email}", "role": "member"}),
    },
    "org-invitation": {"DELETE": (Role.ADMIN, None)},
    # Any token of someone else's is a 404 to the caller: access control is the 401.
    "invitations-accept": {"POST": (USER, {"token": "not-a-token"})},
}


def member_objects(world: WorldSetup) -> tuple[int, int]:
    return world.users["member"].pk, world.users["foreign_member"].pk


def invitation_objects(world: WorldSetup) -> tuple[int, int]:
    expires_at = timezone.now() + timedelta(days=1)
    own, foreign = (
        Invitation.objects.create(
            organization_id=org,
            email="invitee@matrix.example",
            role="member",
            expires_at=expires_at,
        )
        for org in (world.org, world.foreign_org)
    )
    return own.pk, foreign.pk


OBJECT_PARAMETERS: dict[str, ObjectFactory] = {
    "user_id": member_objects,
    "invitation_id": invitation_objects,
}


def schemathesis_cast(stage: CastStage) -> CastPart:
    """A pending invitation in each organization."""
    acme, globex = stage.organizations["alice"], stage.organizations["bob"]
    invitation = {"email": "cast-invitee@example.com", "role": "member"}
    alices = stage.post("alice", f"/api/v1/orgs/{acme}/invitations", invitation)
    bobs = stage.post("bob", f"/api/v1/orgs/{globex}/invitations", invitation)
    return CastPart(
        known={"invitation_id": [alices, alices, bobs]}, peers={"invitation_id": {bobs}}
    )


SCHEMATHESIS_CAST = schemathesis_cast
