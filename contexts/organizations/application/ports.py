"""What organizations' services need from outside, as ``typing.Protocol`` ports."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Protocol

from contexts.organizations.domain.model import Membership, Organization, OrganizationView
from kernel.actors import UserId
from kernel.events import Event
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId
from kernel.unit_of_work import UnitOfWork


class OrganizationRepository(Protocol):
    def add(self, *, name: str) -> Organization: ...

    def get_for_member(self, organization_id: OrganizationId, user_id: UserId) -> OrganizationView:
        """The organization as seen by one of its members; ``OrganizationNotFound`` for anyone
        else, exactly as for an id that does not exist."""
        ...

    def save(self, organization: Organization) -> None: ...

    def list_for_member(self, user_id: UserId, page: PageRequest) -> Page[OrganizationView]: ...


class MembershipRepository(Protocol):
    def add(self, membership: Membership) -> None:
        """Store a membership; ``AlreadyMember`` if the user already belongs to the organization."""
        ...

    def get(self, organization_id: OrganizationId, user_id: UserId) -> Membership | None: ...

    def lock_for_change(
        self, organization_id: OrganizationId, user_ids: Collection[UserId]
    ) -> list[Membership]:
        """Lock, until the unit of work ends, and return the organization's owners and the
        given users' memberships: what a role change must see to keep an owner."""
        ...

    def set_role(self, membership: Membership) -> None: ...

    def remove(self, organization_id: OrganizationId, user_id: UserId) -> None: ...

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[Membership]: ...


class OrganizationsUnitOfWork(UnitOfWork, Protocol):
    @property
    def organizations(self) -> OrganizationRepository: ...

    @property
    def memberships(self) -> MembershipRepository: ...


class UserCard(Protocol):
    """What organizations may know about a user (provided by identity's api)."""

    @property
    def id(self) -> UserId: ...

    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...


class UserDirectory(Protocol):
    def find_user_by_email(self, *, email: str) -> UserCard | None: ...

    def describe_users(self, *, user_ids: Iterable[UserId]) -> Mapping[UserId, UserCard]: ...


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Hand ``event`` to its subscribers, inside the current unit of work."""
        ...
