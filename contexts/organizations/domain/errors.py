"""Errors that organizations' rules raise, worded for the client.

"No such organization" and "your role is too low" are the kernel's (``kernel.tenancy``):
every context answers them alike.
"""

from __future__ import annotations

from kernel.errors import DomainError, InvalidField
from kernel.tenancy import RoleTooLow


class OrganizationError(DomainError):
    """Base of every organizations error, so adapters can map the whole family at once."""


class MemberNotFound(OrganizationError):
    message = "No such member in this organization."


class InvalidOrganization(InvalidField, OrganizationError):
    """A value breaks a rule; ``field`` names the request field it came from."""


class OwnerRequired(RoleTooLow, OrganizationError):
    message = "Only an owner may grant, change or revoke the owner role."


class LastOwner(OrganizationError):
    message = "An organization must keep at least one owner: this would remove the last one."


class AlreadyMember(OrganizationError):
    message = "This user is already a member of the organization."


class InvitationNotFound(OrganizationError):
    """No such invitation for this caller: also what a token for someone else's address gets,
    so that a token reveals nothing to anyone but its invitee."""

    message = "No such invitation."


class InvitationClosed(OrganizationError):
    """The invitation was accepted, revoked (or replaced) or has expired."""

    message = "This invitation is no longer valid."
