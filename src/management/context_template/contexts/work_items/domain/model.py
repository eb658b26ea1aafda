"""Work items: each belongs to one organization (the tenant) and has a name unique in it."""

from __future__ import annotations

from datetime import datetime
from typing import NewType

import attrs

from contexts.work_items.domain.errors import InvalidWorkItem
from kernel.tenancy import OrganizationId

WorkItemId = NewType("WorkItemId", int)

NAME_MAX_LENGTH = 100


def check_name(name: str) -> None:
    """A name is not blank and has at most NAME_MAX_LENGTH characters."""
    if not name.strip():
        raise InvalidWorkItem(field="name", message="The name may not be blank.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidWorkItem(
            field="name", message=f"The name may have at most {NAME_MAX_LENGTH} characters."
        )


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    check_name(value)


@attrs.define(eq=False)
class WorkItem:
    """Identity is the id (``eq=False``); the name is validated whenever it is set."""

    id: WorkItemId
    organization_id: OrganizationId
    name: str = attrs.field(validator=_check_name)
    created_at: datetime

    def rename(self, name: str) -> None:
        self.name = name  # attrs runs the validator on assignment too
