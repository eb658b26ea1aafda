"""What organizations announce to the rest of the system (``kernel.events``)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from kernel.events import Event


@attrs.frozen
class OrganizationCreated(Event):
    """A new organization, with its first owner. Billing opens its account on it."""

    name: ClassVar[str] = "organizations.organization_created"
    version: ClassVar[int] = 1

    organization_id: int
    owner_id: int


@attrs.frozen
class InvitationCreated(Event):
    """Someone was invited; the invitee gets an email with the link to accept. Only the id:
    the handler reads the invitation as it is when it runs (revoked meanwhile: no email) and
    makes the token then, so that no token is ever stored."""

    name: ClassVar[str] = "organizations.invitation_created"

    invitation_id: int
