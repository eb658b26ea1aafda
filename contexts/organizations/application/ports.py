"""What organizations' services need from outside, as ``typing.Protocol`` ports."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Protocol

from contexts.organizations.domain.model import (
    Invitation,
    InvitationId,
    InvitationStatus,
    Membership,
    Organization,
    OrganizationView,
)
from kernel.actors import UserId
from kernel.events import Event
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, Role
from kernel.unit_of_work import UnitOfWork


class OrganizationRepository(Protocol):
    def add(self, *, name: str) -> Organization: ...

    def get_for_member(self, organization_id: OrganizationId, user_id: UserId) -> OrganizationView:
        """The organization as seen by one of its members; ``OrganizationNotFound`` for anyone
        else, exactly as for an id that does not exist."""
        ...

    def get(self, organization_id: OrganizationId) -> Organization:
        """Unscoped, for the outbox's handlers (they act for no user); ``OrganizationNotFound``
        if it is gone."""
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

    def list_administrators(self, organization_id: OrganizationId) -> list[Membership]:
        """The organization's owners and admins, unscoped: for other contexts' handlers."""
        ...


class InvitationRepository(Protocol):
    def replace_pending(
        self,
        *,
        organization_id: OrganizationId,
        email: str,
        role: Role,
        invited_by: UserId,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new pending invitation to ``email``; the pending one to the same address, if
        any, is revoked: there is one pending invitation per (organization, email)."""
        ...

    def get(self, invitation_id: InvitationId) -> Invitation | None:
        """Unscoped: for the holder of its token (who is checked against its email) and for the
        outbox's handlers."""
        ...

    def lock(self, invitation_id: InvitationId) -> Invitation | None:
        """``get``, and lock the invitation until the unit of work ends: two accepts of one
        token run one after the other, and the second sees the first's outcome."""
        ...

    def get_pending(
        self, organization_id: OrganizationId, invitation_id: InvitationId
    ) -> Invitation | None:
        """A pending invitation of this organization (scoped: another organization's id is
        None, as a missing one)."""
        ...

    def set_status(
        self,
        invitation_id: InvitationId,
        status: InvitationStatus,
        *,
        accepted_by: UserId | None = None,
    ) -> None: ...

    def list_open(
        self, organization_id: OrganizationId, now: datetime, page: PageRequest
    ) -> Page[Invitation]:
        """The organization's pending invitations that have not expired, newest first."""
        ...

    def expire_due(self, now: datetime) -> int:
        """Mark every pending invitation whose time is up as expired; how many."""
        ...


class OrganizationsUnitOfWork(UnitOfWork, Protocol):
    @property
    def organizations(self) -> OrganizationRepository: ...

    @property
    def memberships(self) -> MembershipRepository: ...

    @property
    def invitations(self) -> InvitationRepository: ...


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

    def mark_email_verified(self, *, user_id: UserId) -> None:
        """The user proved they receive mail at their address (they followed a link sent to
        it). Joins the caller's transaction."""
        ...


class InvitationTokens(Protocol):
    """The token an invitation's email carries: made from the invitation when the email is
    sent, never stored; what it names is checked against the invitation's current state."""

    def issue(self, invitation_id: InvitationId) -> str: ...

    def read(self, token: str) -> InvitationId | None:
        """The invitation a genuine token names; None for anything else."""
        ...


class InvitationEmails(Protocol):
    def send_invitation(
        self,
        *,
        invitation: Invitation,
        organization_name: str,
        inviter_name: str | None,
        token: str,
    ) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class EventPublisher(Protocol):
    def publish(self, event: Event) -> None:
        """Hand ``event`` to its subscribers, inside the current unit of work."""
        ...
