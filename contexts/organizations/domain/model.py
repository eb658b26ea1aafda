"""Organizations, memberships and invitations, and the role rules every change of membership
obeys."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import NewType

import attrs

from contexts.organizations.domain.errors import InvalidOrganization, LastOwner, OwnerRequired
from kernel.actors import UserId
from kernel.tenancy import OrganizationId, Role, RoleTooLow

NAME_MAX_LENGTH = 100
InvitationId = NewType("InvitationId", int)


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    if not value.strip():
        raise InvalidOrganization(field="name", message="The name may not be blank.")
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidOrganization(
            field="name", message=f"The name may have at most {NAME_MAX_LENGTH} characters."
        )


@attrs.define(eq=False)
class Organization:
    id: OrganizationId
    name: str = attrs.field(validator=_check_name)
    created_at: datetime

    def rename(self, name: str) -> None:
        self.name = name
        attrs.validate(self)


@attrs.frozen
class Membership:
    """A user's place in an organization."""

    organization_id: OrganizationId
    user_id: UserId
    role: Role


@attrs.frozen
class MembershipView:
    """A membership as shown to the organization's members: with the user's name and email."""

    user_id: UserId
    email: str
    name: str
    role: Role


@attrs.frozen
class OrganizationView:
    """An organization as listed for one of its members: with that member's role."""

    id: OrganizationId
    name: str
    created_at: datetime
    role: Role


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"  # by an admin, or replaced by a newer invitation to the same email
    EXPIRED = "expired"


@attrs.frozen
class Invitation:
    """An invitation to join an organization with a role, sent to an email address. People
    join only this way: the invitee proves they own the address by accepting with the token
    emailed to it."""

    id: InvitationId
    organization_id: OrganizationId
    email: str  # normalized: see ``normalize_invitee``
    role: Role
    status: InvitationStatus
    invited_by: UserId | None
    expires_at: datetime
    created_at: datetime

    def is_open(self, now: datetime) -> bool:
        """Pending and not yet expired: the expiry job may not have run yet."""
        return self.status is InvitationStatus.PENDING and now < self.expires_at

    def is_for(self, email: str) -> bool:
        return self.email == normalize_invitee(email)


def normalize_invitee(email: str) -> str:
    """The address as accounts are keyed (identity lower-cases the whole address): an
    invitation to "Ann@Example.com" is one to the account "ann@example.com"."""
    return email.strip().lower()


# --- The role rules -------------------------------------------------------------------------------


def ensure_may_manage_members(actor: Role) -> None:
    """Admins and owners manage members; plain members only look."""
    if not actor.at_least(Role.ADMIN):
        raise RoleTooLow()


def ensure_may_assign(actor: Role, *, current: Role | None, new: Role | None) -> None:
    """May ``actor`` move a member from role ``current`` (None: not a member yet) to ``new``
    (None: removed)? The owner role is granted, changed and revoked only by owners."""
    ensure_may_manage_members(actor)
    touches_owner = Role.OWNER in (current, new)
    if touches_owner and actor is not Role.OWNER:
        raise OwnerRequired()


def ensure_an_owner_remains(*, owners: int, current: Role, new: Role | None) -> None:
    """The last owner can be neither demoted nor removed. ``owners`` must be counted under a
    lock in the same transaction as the change, or two concurrent demotions could both pass."""
    if current is Role.OWNER and new is not Role.OWNER and owners <= 1:
        raise LastOwner()
