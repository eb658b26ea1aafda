"""Organizations' public face for other contexts and for the tenancy glue: plain data only."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from contexts.organizations.application.services import MembershipService, OrganizationService
from kernel.actors import UserId
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role


@attrs.frozen
class Administrator:
    """An owner or admin of an organization, as other contexts may know them."""

    user_id: UserId
    email: str
    name: str


@attrs.frozen
class OrganizationSummary:
    """What another context may know about an organization: for the emails it sends about it."""

    id: OrganizationId
    name: str
    administrators: tuple[Administrator, ...]  # its owners and admins


class OrganizationsApi:
    def __init__(
        self,
        *,
        memberships: Callable[[], MembershipService],
        organizations: Callable[[], OrganizationService],
    ) -> None:
        self._memberships = memberships
        self._organizations = organizations

    def role_of(self, *, user_id: UserId, organization_id: OrganizationId) -> Role | None:
        """The user's role in the organization, or None if they are not a member (or the
        organization does not exist: callers must not be able to tell the difference)."""
        return self._memberships().role_of(user_id=user_id, organization_id=organization_id)

    def describe_organization(
        self, *, organization_id: OrganizationId
    ) -> OrganizationSummary | None:
        """Its name and its owners and admins; None if it does not exist."""
        try:
            organization = self._organizations().describe(organization_id=organization_id)
        except OrganizationNotFound:
            return None
        administrators = self._memberships().administrators(organization_id=organization_id)
        return OrganizationSummary(
            id=organization.id,
            name=organization.name,
            administrators=tuple(
                Administrator(user_id=a.user_id, email=a.email, name=a.name) for a in administrators
            ),
        )
