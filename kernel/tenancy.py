"""Organizations as every context sees them: their ids, the roles members hold, and the two
answers a role check can give (no such organization; your role is too low)."""

from __future__ import annotations

from enum import StrEnum
from typing import NewType

from kernel.errors import DomainError

OrganizationId = NewType("OrganizationId", int)


class Role(StrEnum):
    """A member's role in an organization, from least to most powerful."""

    MEMBER = "member"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANKS = {Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class OrganizationNotFound(DomainError):
    # Also what a non-member sees: whether the organization exists is not revealed (404).
    message = "No such organization."


class RoleTooLow(DomainError):
    """The actor is a member, but their role does not allow this (403)."""

    message = "Your role in this organization does not allow this."


class StaffOnly(RoleTooLow):
    message = "Only staff may do this."
