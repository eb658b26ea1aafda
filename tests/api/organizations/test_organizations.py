"""Organizations' endpoints beyond access control: input, pagination, query counts, rules."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from adapters.organizations.models import Membership, Organization
from tests.api.helpers import assert_problem
from tests.api.organizations.conftest import Tenancy
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_creating_an_organization_makes_me_its_owner(tenancy: Tenancy) -> None:
    client = client_for(tenancy.stranger)

    response = client.post("/api/v1/orgs", {"name": "Initech"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "name", "role", "created_at"}
    assert (body["name"], body["role"]) == ("Initech", "owner")
    assert Membership.objects.get(organization_id=body["id"]).user_id == tenancy.stranger.pk


def test_my_organizations_list_only_mine_with_my_role(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    Membership.objects.create(organization=tenancy.globex, user=tenancy.admin, role="member")

    body = clients["admin"].get("/api/v1/orgs").json()

    assert [(o["name"], o["role"]) for o in body["results"]] == [
        ("Acme", "admin"),
        ("Globex", "member"),
    ]
    assert body["next"] is None
    assert body["previous"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 12}, "name"),
        ({"name": None}, "name"),
        ({"name": "Ok", "id": 5}, "id"),
        ({"name": "Ok", "owner": 1}, "owner"),
    ],
)
def test_organization_input_is_validated(
    clients: dict[str, APIClient], payload: dict[str, Any], field: str
) -> None:
    before = Organization.objects.count()

    response = clients["owner"].post("/api/v1/orgs", payload, format="json")

    assert_problem(response, 400, fields={field})
    assert Organization.objects.count() == before


def test_renaming_validates_and_unknown_fields_are_rejected(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    url = f"/api/v1/orgs/{tenancy.acme.pk}"
    assert_problem(clients["admin"].patch(url, {"name": ""}, format="json"), 400, fields={"name"})
    assert_problem(
        clients["admin"].patch(url, {"created_at": "2020-01-01"}, format="json"),
        400,
        fields={"created_at"},
    )
    response = clients["admin"].patch(url, {"name": "Acme Corp"}, format="json")
    assert response.json()["name"] == "Acme Corp"
    assert response.json()["role"] == "admin"


def test_patch_member_rejects_other_fields(tenancy: Tenancy, clients: dict[str, APIClient]) -> None:
    url = f"/api/v1/orgs/{tenancy.acme.pk}/members/{tenancy.member.pk}"

    assert_problem(
        clients["owner"].patch(url, {"role": "admin", "email": "x@y.z"}, format="json"),
        400,
        fields={"email"},
    )
    assert_problem(clients["owner"].patch(url, {}, format="json"), 400, fields={"role"})


def test_two_owners_can_hand_over_and_the_last_one_stays(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    base = f"/api/v1/orgs/{tenancy.acme.pk}/members"
    owner = clients["owner"]
    assert (
        owner.patch(f"{base}/{tenancy.admin.pk}", {"role": "owner"}, format="json").status_code
        == 200
    )
    assert owner.delete(f"{base}/{tenancy.owner.pk}").status_code == 204  # steps out
    new_owner = clients["admin"]

    body = assert_problem(
        new_owner.patch(f"{base}/{tenancy.admin.pk}", {"role": "member"}, format="json"), 409
    )
    assert "last" in body["detail"]
    assert_problem(new_owner.delete(f"{base}/{tenancy.admin.pk}"), 409)
    # The former owner's token no longer opens the organization at all.
    assert_problem(owner.get(f"/api/v1/orgs/{tenancy.acme.pk}"), 404)


# --- pagination and query counts ---------------------------------------------------------------


def _member_of_many(count: int) -> APIClient:
    user = make_user()
    for index in range(count):
        organization = Organization.objects.create(name=f"Org {index:03}")
        Membership.objects.create(organization=organization, user=user, role="member")
    return client_for(user)


def test_pages_follow_next_and_previous_links(db: None) -> None:
    client = _member_of_many(25)

    first = client.get("/api/v1/orgs?page_size=10").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    back = client.get(third["previous"]).json()

    assert [len(p["results"]) for p in (first, second, third)] == [10, 10, 5]
    assert first["previous"] is None
    assert third["next"] is None
    assert back["results"] == second["results"]
    names = [o["name"] for page in (first, second, third) for o in page["results"]]
    assert names == [f"Org {i:03}" for i in range(25)]
    assert first["next"].startswith("http://testserver/api/v1/orgs?")


def test_page_size_is_clamped_to_the_maximum(db: None) -> None:
    client = _member_of_many(105)

    body = client.get("/api/v1/orgs?page_size=100000000000000000000").json()

    assert len(body["results"]) == 100
    assert body["next"] is not None


@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=-1",
        "page_size=abc",
        "page_size=1.5",
        "cursor=garbage",
        "cursor=W10",
        "cursor=eyJ4IjoxfQ",
    ],
)
def test_malformed_pagination_parameters_are_400s(
    clients: dict[str, APIClient], query: str
) -> None:
    assert_problem(clients["owner"].get(f"/api/v1/orgs?{query}"), 400)


# The token lookup (with its user), then the endpoint's own: the page of organizations (one join);
# or the tenancy check, the page of memberships and one batch of names and emails from identity.
@pytest.mark.parametrize(
    ("path", "queries"), [("/api/v1/orgs", 2), ("/api/v1/orgs/{org}/members", 4)]
)
def test_list_queries_do_not_grow_with_the_page(
    db: None, path: str, queries: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for size in (1, 50):
        owner = make_user()
        organizations = [Organization.objects.create(name=f"O{i}") for i in range(size)]
        for organization in organizations:
            Membership.objects.create(organization=organization, user=owner, role="owner")
        for _ in range(size - 1):
            Membership.objects.create(
                organization=organizations[0], user=make_user(), role="member"
            )
        client = client_for(owner)
        url = path.format(org=organizations[0].pk) + "?page_size=100"
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert len(response.json()["results"]) == size
