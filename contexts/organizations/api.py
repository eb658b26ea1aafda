"""Organizations' public face for other contexts and for the tenancy glue: plain data only."""

from __future__ import annotations

from collections.abc import Callable

from contexts.organizations.application.ports import OrganizationsUnitOfWork
from contexts.organizations.domain.model import OrganizationId
from kernel.tenancy import Role


class OrganizationsApi:
    def __init__(self, *, uow_factory: Callable[[], OrganizationsUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    def role_of(self, *, user_id: int, organization_id: int) -> Role | None:
        """The user's role in the organization, or None if they are not a member (or the
        organization does not exist: callers must not be able to tell the difference)."""
        membership = self._uow_factory().memberships.get(OrganizationId(organization_id), user_id)
        return membership.role if membership else None
