"""Roles in an organization: the vocabulary that tenancy, organizations and billing share."""

from __future__ import annotations

from enum import StrEnum


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
