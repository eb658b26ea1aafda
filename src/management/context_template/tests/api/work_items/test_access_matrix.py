"""Every work items route x every role: the status code, and that refused writes change
nothing. Non-members, other organizations' ids and missing ids all get the same 404."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from tests.api.helpers import TestResponse as Reply  # an alias pytest does not collect
from tests.api.helpers import assert_problem
from tests.api.work_items.conftest import MISSING_ID, ROLES, World, item_url, list_url, snapshot

pytestmark = pytest.mark.django_db

# (client, organization id, work item id) → response
Send = Callable[[APIClient, int, int], Reply]

ROUTES: dict[str, Send] = {
    "GET list": lambda c, o, i: c.get(list_url(o)),
    "POST list": lambda c, o, i: c.post(list_url(o), {"name": "New"}, format="json"),
    "GET one": lambda c, o, i: c.get(item_url(o, i)),
    "PATCH one": lambda c, o, i: c.patch(item_url(o, i), {"name": "Renamed"}, format="json"),
    "DELETE one": lambda c, o, i: c.delete(item_url(o, i)),
}

# Expected status per role, in the order of ROLES: anonymous, non_member, member, admin, owner.
EXPECTED: dict[str, tuple[int, ...]] = {
    "GET list": (401, 404, 200, 200, 200),
    "POST list": (401, 404, 403, 201, 201),
    "GET one": (401, 404, 200, 200, 200),
    "PATCH one": (401, 404, 403, 200, 200),
    "DELETE one": (401, 404, 403, 204, 204),
}
WRITES = {"POST list", "PATCH one", "DELETE one"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_each_role_gets_what_the_contract_says(
    world: World, clients: dict[str, APIClient], route: str, role: str
) -> None:
    before = snapshot()

    response = ROUTES[route](clients[role], world.org, world.work_item)

    expected = EXPECTED[route][ROLES.index(role)]
    if expected >= 400:
        assert_problem(response, expected)
        assert snapshot() == before
    else:
        assert response.status_code == expected, response.content
        assert (snapshot() != before) == (route in WRITES)


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_non_member_cannot_tell_an_organization_from_a_missing_one(
    world: World, clients: dict[str, APIClient], route: str
) -> None:
    client = clients["non_member"]

    theirs = ROUTES[route](client, world.org, world.work_item)
    missing = ROUTES[route](client, MISSING_ID, world.work_item)

    assert_problem(theirs, 404)
    assert theirs.content == missing.content


@pytest.mark.parametrize("route", ["GET one", "PATCH one", "DELETE one"])
def test_another_organizations_work_item_is_the_same_404_as_a_missing_one(
    world: World, clients: dict[str, APIClient], route: str
) -> None:
    before = snapshot()

    foreign = ROUTES[route](clients["owner"], world.org, world.foreign_work_item)
    missing = ROUTES[route](clients["owner"], world.org, MISSING_ID)

    assert_problem(foreign, 404)
    assert foreign.content == missing.content
    assert snapshot() == before
