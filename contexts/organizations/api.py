"""Organizations' public face for other contexts and for the tenancy glue: plain data only."""

from __future__ import annotations

from collections.abc import Callable

from contexts.organizations.application.services import MembershipService
from kernel.actors import UserId
from kernel.tenancy import OrganizationId, Role


class OrganizationsApi:
    def __init__(self, *, memberships: Callable[[], MembershipService]) -> None:
        self._memberships = memberships

    def role_of(self, *, user_id: UserId, organization_id: OrganizationId) -> Role | None:
        """The user's role in the organization, or None if they are not a member (or the
        organization does not exist: callers must not be able to tell the difference)."""
        return self._memberships().role_of(user_id=user_id, organization_id=organization_id)
