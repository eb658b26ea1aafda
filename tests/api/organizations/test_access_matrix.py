"""Every organization route x method x role: the status code, and that denied writes change
nothing. Non-members get the missing-organization 404, byte for byte."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.organizations.models import Invitation, Membership, Organization
from tests.api.helpers import assert_problem
from tests.api.organizations.conftest import Tenancy

ROLES = ["anonymous", "non_member", "member", "admin", "owner"]


def _snapshot() -> tuple[list[tuple[Any, ...]], ...]:
    return (
        list(Organization.objects.order_by("pk").values_list("pk", "name")),
        list(Membership.objects.order_by("pk").values_list("organization_id", "user_id", "role")),
        list(Invitation.objects.order_by("pk").values_list("pk", "email", "role", "status")),
    )


Request = Callable[[APIClient, Tenancy], Any]

# route name → (request, expected status per role: anonymous, non-member, member, admin, owner)
MATRIX: dict[str, tuple[Request, tuple[int, int, int, int, int]]] = {
    "GET org": (lambda c, t: c.get(f"/api/v1/orgs/{t.acme.pk}"), (401, 404, 200, 200, 200)),
    "PATCH org": (
        lambda c, t: c.patch(f"/api/v1/orgs/{t.acme.pk}", {"name": "Renamed"}, format="json"),
        (401, 404, 403, 200, 200),
    ),
    "GET members": (
        lambda c, t: c.get(f"/api/v1/orgs/{t.acme.pk}/members"),
        (401, 404, 200, 200, 200),
    ),
    # People join through invitations only.
    "POST members": (
        lambda c, t: c.post(
            f"/api/v1/orgs/{t.acme.pk}/members",
            {"email": t.stranger.email, "role": "member"},
            format="json",
        ),
        (401, 404, 405, 405, 405),
    ),
    "GET invitations": (
        lambda c, t: c.get(f"/api/v1/orgs/{t.acme.pk}/invitations"),
        (401, 404, 403, 200, 200),
    ),
    "POST invitations": (
        lambda c, t: c.post(
            f"/api/v1/orgs/{t.acme.pk}/invitations",
            {"email": t.stranger.email, "role": "member"},
            format="json",
        ),
        (401, 404, 403, 201, 201),
    ),
    "POST an owner's invitation": (
        lambda c, t: c.post(
            f"/api/v1/orgs/{t.acme.pk}/invitations",
            {"email": t.stranger.email, "role": "owner"},
            format="json",
        ),
        (401, 404, 403, 403, 201),
    ),
    "DELETE invitation": (
        lambda c, t: c.delete(f"/api/v1/orgs/{t.acme.pk}/invitations/{t.invitation.pk}"),
        (401, 404, 403, 204, 204),
    ),
    "PATCH member": (
        lambda c, t: c.patch(
            f"/api/v1/orgs/{t.acme.pk}/members/{t.member.pk}", {"role": "admin"}, format="json"
        ),
        (401, 404, 403, 200, 200),
    ),
    "DELETE member": (
        lambda c, t: c.delete(f"/api/v1/orgs/{t.acme.pk}/members/{t.member.pk}"),
        (401, 404, 403, 204, 204),
    ),
    "PATCH owner's membership": (
        lambda c, t: c.patch(
            f"/api/v1/orgs/{t.acme.pk}/members/{t.owner.pk}", {"role": "admin"}, format="json"
        ),
        (401, 404, 403, 403, 409),  # owner: the last owner cannot step down
    ),
    "DELETE owner": (
        lambda c, t: c.delete(f"/api/v1/orgs/{t.acme.pk}/members/{t.owner.pk}"),
        (401, 404, 403, 403, 409),
    ),
    "PATCH member to owner": (
        lambda c, t: c.patch(
            f"/api/v1/orgs/{t.acme.pk}/members/{t.member.pk}", {"role": "owner"}, format="json"
        ),
        (401, 404, 403, 403, 200),
    ),
}


@pytest.mark.parametrize("route", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(
    route: str, role: str, tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    send, expected_by_role = MATRIX[route]
    expected = expected_by_role[ROLES.index(role)]
    before = _snapshot()

    response = send(clients[role], tenancy)

    assert response.status_code == expected, (route, role, response.content)
    if expected >= 400:
        assert_problem(response, expected)
        assert _snapshot() == before, f"{route} as {role} was denied but changed data"


SCOPED_PATHS = [
    "/api/v1/orgs/{org}",
    "/api/v1/orgs/{org}/members",
    "/api/v1/orgs/{org}/members/{user}",
    "/api/v1/orgs/{org}/invitations",
    "/api/v1/orgs/{org}/invitations/{user}",
]


@pytest.mark.parametrize("path", SCOPED_PATHS)
@pytest.mark.parametrize("method", ["get", "patch", "post", "delete"])
def test_a_foreign_organization_is_indistinguishable_from_a_missing_one(
    path: str, method: str, tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    client = clients["non_member"]
    foreign = getattr(client, method)(path.format(org=tenancy.acme.pk, user=tenancy.member.pk))
    missing = getattr(client, method)(path.format(org=987654, user=tenancy.member.pk))

    if foreign.status_code == 405:
        assert missing.status_code == 405
        return
    assert_problem(foreign, 404)
    assert foreign.content == missing.content
    assert foreign["Content-Type"] == missing["Content-Type"]


def test_huge_and_odd_ids_are_plain_404s(clients: dict[str, APIClient]) -> None:
    for path in ("/api/v1/orgs/99999999999999999999999", "/api/v1/orgs/-1", "/api/v1/orgs/abc"):
        assert_problem(clients["owner"].get(path), 404)


def test_a_member_cannot_reach_another_organizations_members_by_id(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    # globex's owner is not in acme: addressing them under acme is "no such member".
    response = clients["owner"].delete(
        f"/api/v1/orgs/{tenancy.acme.pk}/members/{tenancy.outsider.pk}"
    )

    assert_problem(response, 404)
    assert Membership.objects.filter(user=tenancy.outsider).exists()


def test_members_learn_a_method_is_not_allowed_not_their_roles_limits(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    url = f"/api/v1/orgs/{tenancy.acme.pk}/members/{tenancy.member.pk}"
    for role in ("member", "admin", "owner"):
        assert_problem(clients[role].get(url), 405)
    assert_problem(clients["non_member"].get(url), 404)


def test_an_id_too_large_for_the_database_is_an_ordinary_missing_organization(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    huge = clients["owner"].get("/api/v1/orgs/" + "9" * 30)
    missing = clients["owner"].get("/api/v1/orgs/987654321")

    assert_problem(huge, 404)
    assert huge.content == missing.content
