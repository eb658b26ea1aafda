"""Who is making the request, in the one shape every service takes: ``kernel.actors.Actor``."""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from kernel.actors import Actor, UserId
from kernel.tenancy import OrganizationId, Role

_ACTOR = "_platform_actor"  # where the request keeps its actor once built


def request_actor(request: Request) -> Actor:
    """The authenticated caller (views behind IsAuthenticated only), with any role the tenancy
    layer established for this request."""
    actor: Actor | None = getattr(request, _ACTOR, None)
    if actor is None:
        user_id = request.user.pk
        if user_id is None:
            raise NotAuthenticated()
        actor = Actor(UserId(int(user_id)), is_staff=bool(request.user.is_staff))
        setattr(request, _ACTOR, actor)
    return actor


def grant_role(request: Request, organization_id: OrganizationId, role: Role) -> Actor:
    """Record that the caller holds ``role`` in the organization (tenancy resolved it)."""
    actor = request_actor(request).with_role(organization_id, role)
    setattr(request, _ACTOR, actor)
    return actor
