"""How organizations' domain errors appear to API clients."""

from __future__ import annotations

from adapters.platform.rest.problems import (
    NOT_FOUND,
    PERMISSION_DENIED,
    VALIDATION,
    ProblemType,
    register_domain_problem,
)
from contexts.organizations.domain import errors

LAST_OWNER = ProblemType(409, "last-owner", "The last owner must stay.")
ALREADY_MEMBER = ProblemType(409, "already-member", "Already a member.")


def register() -> None:
    register_domain_problem(errors.OrganizationNotFound, NOT_FOUND)
    register_domain_problem(errors.MemberNotFound, NOT_FOUND)
    register_domain_problem(errors.RoleTooLow, PERMISSION_DENIED)
    register_domain_problem(errors.LastOwner, LAST_OWNER)
    register_domain_problem(errors.AlreadyMember, ALREADY_MEMBER)
    register_domain_problem(errors.UnknownUser, VALIDATION, errors=lambda e: {"email": [e.message]})
