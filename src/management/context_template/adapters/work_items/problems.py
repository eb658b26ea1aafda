"""How the work items domain errors appear to API clients (``InvalidWorkItem`` is an
``InvalidField``: the platform already shows it as a validation problem naming the field)."""

from __future__ import annotations

from adapters.platform.rest.problems import NOT_FOUND, DomainProblem, ProblemType
from contexts.work_items.domain import errors

NAME_TAKEN = ProblemType(409, "work-item-name-taken", "The name is taken.")

PROBLEMS = (
    DomainProblem(errors.WorkItemNotFound, NOT_FOUND),
    DomainProblem(errors.WorkItemNameTaken, NAME_TAKEN),
)
