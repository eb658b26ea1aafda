"""The work items endpoints beyond access control: bodies, input validation, name conflicts,
pagination, and a number of queries per list that does not grow with the page."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from adapters.work_items.models import WorkItem
from tests.api.helpers import assert_problem
from tests.api.work_items.conftest import World, item_url, list_url, snapshot

pytestmark = pytest.mark.django_db

FIELDS = {"id", "name", "created_at"}
# The token lookup (with its user), the tenancy check (the caller's role), the page: whatever
# the page holds.
LIST_QUERIES = 3


def test_an_admin_creates_reads_renames_and_deletes(
    world: World, clients: dict[str, APIClient]
) -> None:
    admin = clients["admin"]

    created = admin.post(list_url(world.org), {"name": "  Gemini "}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == FIELDS
    assert body["name"] == "Gemini"  # surrounding blanks are trimmed
    url = item_url(world.org, body["id"])
    assert clients["member"].get(url).json() == body

    renamed = admin.patch(url, {"name": "Artemis"}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert renamed.json() == {**body, "name": "Artemis"}

    assert admin.delete(url).status_code == 204
    assert_problem(admin.get(url), 404)
    assert snapshot() == [
        (world.work_item, world.org, "Apollo"),
        (world.foreign_work_item, world.other_org, "Zeus"),
    ]


def test_an_empty_patch_changes_nothing(world: World, clients: dict[str, APIClient]) -> None:
    url = item_url(world.org, world.work_item)
    before = snapshot()

    response = clients["admin"].patch(url, {}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == clients["member"].get(url).json()
    assert snapshot() == before


def test_the_list_holds_the_organizations_own_newest_first(
    world: World, clients: dict[str, APIClient]
) -> None:
    clients["admin"].post(list_url(world.org), {"name": "Gemini"}, format="json")

    body = clients["member"].get(list_url(world.org)).json()

    assert [item["name"] for item in body["results"]] == ["Gemini", "Apollo"]
    assert set(body["results"][0]) == FIELDS
    assert (body["next"], body["previous"]) == (None, None)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 12}, "name"),
        ({"name": None}, "name"),
        ({"name": ["Apollo"]}, "name"),
        ({"name": "Ok", "id": 5}, "id"),
        ({"name": "Ok", "organization_id": 2}, "organization_id"),
        ({"name": "Ok", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_create_input_is_validated(
    world: World, clients: dict[str, APIClient], payload: dict[str, Any], field: str
) -> None:
    before = snapshot()

    response = clients["admin"].post(list_url(world.org), payload, format="json")

    assert_problem(response, 400, fields={field})
    assert snapshot() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": 12}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"organization_id": 2}, "organization_id"),
        ({"name": "Ok", "id": 5}, "id"),
    ],
)
def test_change_input_is_validated(
    world: World, clients: dict[str, APIClient], payload: dict[str, Any], field: str
) -> None:
    before = snapshot()

    response = clients["admin"].patch(item_url(world.org, world.work_item), payload, format="json")

    assert_problem(response, 400, fields={field})
    assert snapshot() == before


@pytest.mark.parametrize("body", [b"[]", b'"Apollo"', b"{", b"null"])
def test_a_body_that_is_not_an_object_is_refused(
    world: World, clients: dict[str, APIClient], body: bytes
) -> None:
    before = snapshot()

    response = clients["admin"].generic(
        "POST",
        list_url(world.org),
        body,  # type: ignore[arg-type]  # Django takes bytes; the stubs say str
        content_type="application/json",
    )

    assert_problem(response, 400)
    assert snapshot() == before


def test_a_taken_name_is_a_conflict_only_within_the_organization(
    world: World, clients: dict[str, APIClient]
) -> None:
    admin = clients["admin"]
    gemini = admin.post(list_url(world.org), {"name": "Gemini"}, format="json").json()
    before = snapshot()

    assert_problem(admin.post(list_url(world.org), {"name": "Apollo"}, format="json"), 409)
    renamed = admin.patch(item_url(world.org, gemini["id"]), {"name": "Apollo"}, format="json")
    assert_problem(renamed, 409)
    assert snapshot() == before
    # The other organization's "Zeus" does not stop this one from having one.
    assert admin.post(list_url(world.org), {"name": "Zeus"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("query", "field"),
    [("page_size=0", "page_size"), ("page_size=ten", "page_size"), ("cursor=forged", "cursor")],
)
def test_bad_paging_parameters_are_400s(
    world: World, clients: dict[str, APIClient], query: str, field: str
) -> None:
    response = clients["member"].get(f"{list_url(world.org)}?{query}")

    assert_problem(response, 400, fields={field})


def _fill(world: World, count: int) -> None:
    WorkItem.objects.bulk_create(
        WorkItem(organization_id=world.org, name=f"Item {index:03}") for index in range(count)
    )


@pytest.mark.parametrize("size", [1, 50])
def test_the_list_costs_the_same_queries_whatever_the_page_holds(
    world: World,
    clients: dict[str, APIClient],
    size: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _fill(world, size - 1)  # the world's own work item makes `size`

    with django_assert_num_queries(LIST_QUERIES) as captured:
        response = clients["member"].get(f"{list_url(world.org)}?page_size=100")

    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == size
    statements = [query["sql"].upper() for query in captured.captured_queries]
    assert not [sql for sql in statements if "COUNT(" in sql or " OFFSET " in sql], statements


def test_the_next_page_costs_the_same(
    world: World, clients: dict[str, APIClient], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _fill(world, 29)
    first = clients["member"].get(f"{list_url(world.org)}?page_size=10").json()

    with django_assert_num_queries(LIST_QUERIES):
        second = clients["member"].get(first["next"])

    assert len(second.json()["results"]) == 10


def test_pages_follow_next_and_previous_and_sizes_are_clamped(
    world: World, clients: dict[str, APIClient]
) -> None:
    _fill(world, 104)  # 105 with the world's own
    member = clients["member"]

    first = member.get(f"{list_url(world.org)}?page_size=999").json()
    second = member.get(first["next"]).json()
    back = member.get(second["previous"]).json()

    assert [len(page["results"]) for page in (first, second)] == [100, 5]
    assert (first["previous"], second["next"]) == (None, None)
    assert back["results"] == first["results"]
    assert back["previous"] is None
    ids = [item["id"] for page in (first, second) for item in page["results"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 105
    assert len(member.get(list_url(world.org)).json()["results"]) == 20
