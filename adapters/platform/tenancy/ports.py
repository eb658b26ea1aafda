"""What tenancy needs to know from the organizations context, as a port (wired in ``src/``)."""

from __future__ import annotations

from typing import Protocol

from kernel.actors import UserId
from kernel.tenancy import OrganizationId, Role


class MembershipDirectory(Protocol):
    """Answers "what is this user's role in that organization?" (None: not a member)."""

    def role_of(self, *, user_id: UserId, organization_id: OrganizationId) -> Role | None: ...
