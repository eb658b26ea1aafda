"""Errors that the work items rules raise, worded for the client.

"No such organization" and "your role is too low" are the kernel's (``kernel.tenancy``):
every context answers them alike.
"""

from __future__ import annotations

from kernel.errors import DomainError, InvalidField


class WorkItemError(DomainError):
    """Base of every work items error, so adapters can map the whole family at once."""


class InvalidWorkItem(InvalidField, WorkItemError):
    """A value breaks a rule; ``field`` names the request field it came from."""


class WorkItemNotFound(WorkItemError):
    # Also what another organization's id gives: whether it exists is not revealed.
    message = "No such work item."


class WorkItemNameTaken(WorkItemError):
    message = "Another work item of this organization already has this name."
