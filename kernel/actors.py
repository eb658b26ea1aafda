"""Who is acting: the one shape in which every service learns its caller."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NewType

import attrs

from kernel.tenancy import OrganizationId, OrganizationNotFound, Role, RoleTooLow, StaffOnly

UserId = NewType("UserId", int)


def _frozen_roles(roles: Mapping[OrganizationId, Role]) -> Mapping[OrganizationId, Role]:
    return MappingProxyType(dict(roles))


@attrs.frozen
class Actor:
    """The authenticated user a use case runs for.

    ``roles`` holds the roles this request has established (the tenancy layer resolves the
    caller's role in the organization of the URL); a service checks them with
    ``require_role`` even though the view did too, so that a view declaring too low a role
    cannot open a use case up (defence in depth). Actors hash by user and staff flag only
    (a mapping proxy is not hashable), so they can key a cache.
    """

    user_id: UserId
    is_staff: bool = False
    roles: Mapping[OrganizationId, Role] = attrs.field(
        factory=dict, converter=_frozen_roles, repr=False, hash=False
    )

    def with_role(self, organization_id: OrganizationId, role: Role) -> Actor:
        """This actor, known to hold ``role`` in ``organization_id``."""
        return attrs.evolve(self, roles={**self.roles, organization_id: role})

    def role_in(self, organization_id: OrganizationId) -> Role | None:
        return self.roles.get(organization_id)

    def require_role(self, organization_id: OrganizationId, minimum: Role) -> Role:
        """The actor's role in the organization if it is ``minimum`` or higher.

        ``OrganizationNotFound`` for a non-member (exactly as for a missing organization),
        ``RoleTooLow`` for a member below ``minimum``."""
        role = self.roles.get(organization_id)
        if role is None:
            raise OrganizationNotFound()
        if not role.at_least(minimum):
            raise RoleTooLow(f"This requires the {minimum} role in the organization.")
        return role

    def require_staff(self) -> None:
        if not self.is_staff:
            raise StaffOnly()
