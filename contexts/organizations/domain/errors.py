"""Errors that organizations' rules raise, worded for the client."""

from __future__ import annotations

from kernel.errors import DomainError, InvalidField


class OrganizationsError(DomainError):
    """Base of every organizations error, so adapters can map the whole family at once."""


class OrganizationNotFound(OrganizationsError):
    # Also what a non-member sees: whether the organization exists is not revealed.
    message = "No such organization."


class MemberNotFound(OrganizationsError):
    message = "No such member in this organization."


class InvalidOrganization(InvalidField, OrganizationsError):
    """A value breaks a rule; ``field`` names the request field it came from."""


class RoleTooLow(OrganizationsError):
    """The actor is a member, but their role does not allow this."""

    message = "Your role in this organization does not allow this."


class OwnerRequired(RoleTooLow):
    message = "Only an owner may grant, change or revoke the owner role."


class LastOwner(OrganizationsError):
    message = "An organization must keep at least one owner: this would remove the last one."


class AlreadyMember(OrganizationsError):
    message = "This user is already a member of the organization."


class UnknownUser(OrganizationsError):
    message = "No registered user has this email."
