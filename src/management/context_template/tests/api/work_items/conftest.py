"""Two organizations with one work item each, users in every role, a client for each."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.work_items.models import WorkItem
from tests.conftest import client_for
from tests.factories import make_organization, make_user

ROLES = ["anonymous", "non_member", "member", "admin", "owner"]
MISSING_ID = 987_654_321


@attrs.frozen
class World:
    org: int  # where owner, admin and member work
    other_org: int  # the outsider's organization
    owner: User
    admin: User
    member: User
    outsider: User  # owner of other_org, not a member of org
    work_item: int  # an id in org
    foreign_work_item: int  # an id in other_org


@pytest.fixture
def world(db: None) -> World:
    owner, admin, member = (
        make_user(email=f"{role}@acme.example") for role in ("owner", "admin", "member")
    )
    outsider = make_user(email="owner@globex.example")
    org = make_organization("Acme", owner=owner, admin=admin, member=member).pk
    other_org = make_organization("Globex", owner=outsider).pk
    ours = WorkItem.objects.create(organization_id=org, name="Apollo")
    theirs = WorkItem.objects.create(organization_id=other_org, name="Zeus")
    return World(org, other_org, owner, admin, member, outsider, ours.pk, theirs.pk)


@pytest.fixture
def clients(world: World) -> dict[str, APIClient]:
    return {
        "anonymous": APIClient(),
        "non_member": client_for(world.outsider),
        "member": client_for(world.member),
        "admin": client_for(world.admin),
        "owner": client_for(world.owner),
    }


def list_url(organization_id: int) -> str:
    return f"/api/v1/orgs/{organization_id}/work-items"


def item_url(organization_id: int, item_id: int) -> str:
    return f"{list_url(organization_id)}/{item_id}"


def snapshot() -> list[tuple[Any, ...]]:
    """Every row of the table, to show that a refused request changed nothing."""
    return list(WorkItem.objects.order_by("pk").values_list("pk", "organization_id", "name"))
