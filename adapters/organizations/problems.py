"""How organizations' domain errors appear to API clients (OwnerRequired is a 403, as every
``RoleTooLow``)."""

from __future__ import annotations

from adapters.platform.rest.problems import INVALID_TOKEN, NOT_FOUND, DomainProblem, ProblemType
from contexts.organizations.domain import errors

LAST_OWNER = ProblemType(409, "last-owner", "The last owner must stay.")
ALREADY_MEMBER = ProblemType(409, "already-member", "Already a member.")

PROBLEMS = (
    DomainProblem(errors.MemberNotFound, NOT_FOUND),
    DomainProblem(errors.LastOwner, LAST_OWNER),
    DomainProblem(errors.AlreadyMember, ALREADY_MEMBER),
    # A token for someone else's address is answered as one that does not exist.
    DomainProblem(errors.InvitationNotFound, NOT_FOUND),
    DomainProblem(errors.InvitationClosed, INVALID_TOKEN),
)
