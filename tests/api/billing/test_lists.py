"""Every billing list: a fixed number of queries whatever the page holds, never a COUNT(*), the
ledger newest first with working cursors, and page sizes clamped to 100."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from adapters.billing.models import Account, Plan, Subscription
from tests.api.billing.conftest import (
    World,
    make_entries,
    make_invoices,
    org_url,
)
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _plans(world: World, size: int) -> tuple[APIClient, str]:
    Plan.objects.all().delete()
    Plan.objects.bulk_create(
        Plan(
            code=f"plan-{index:03}",
            name=f"Plan {index}",
            plan_type=f"type-{index}",
            price_cents=100 * index,
            currency="EUR",
            interval="month",
        )
        for index in range(size)
    )
    return client_for(world.stranger), "/api/v1/plans"


def _subscriptions(world: World, size: int) -> tuple[APIClient, str]:
    user = make_user()
    plans = list(Plan.objects.all())
    Subscription.objects.bulk_create(
        Subscription(
            user=user,
            plan=plans[index % len(plans)],
            plan_type=plans[index % len(plans)].plan_type,
            start_date=date(2030, 1, 1),
            end_date=date(2030, 12, 31),
            # At most one active per plan type: the last one.
            status="active" if index == size - 1 else "cancelled",
        )
        for index in range(size)
    )
    return client_for(user), "/api/v1/me/subscriptions"


def _invoices(world: World, size: int) -> tuple[APIClient, str]:
    make_invoices(world.acme, size)
    return client_for(world.admin), org_url(world.acme.pk, "/invoices")


def _paid_invoices(world: World, size: int) -> tuple[APIClient, str]:
    make_invoices(world.acme, size, status="paid")
    make_invoices(world.acme, 3, status="open")
    return client_for(world.admin), org_url(world.acme.pk, "/invoices?status=paid")


def _entries(world: World, size: int) -> tuple[APIClient, str]:
    make_entries(world.acme, size, actor=world.owner)
    return client_for(world.admin), org_url(world.acme.pk, "/account/entries")


Setup = Callable[[World, int], tuple[APIClient, str]]

# The token lookup (with its user), then the endpoint's own queries: the page; or the tenancy
# check and the page; the ledger also looks the account up (a missing account is a 404).
LISTS: dict[str, tuple[Setup, int]] = {
    "plans": (_plans, 2),
    "subscriptions": (_subscriptions, 2),
    "invoices": (_invoices, 3),
    "invoices by status": (_paid_invoices, 3),
    "entries": (_entries, 4),
}


@pytest.mark.parametrize("size", [1, 50])
@pytest.mark.parametrize("name", list(LISTS))
def test_list_queries_do_not_grow_with_the_page_and_never_count(
    world: World, name: str, size: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    setup, queries = LISTS[name]
    client, url = setup(world, size)
    separator = "&" if "?" in url else "?"

    with django_assert_num_queries(queries) as captured:
        response = client.get(f"{url}{separator}page_size=100")

    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == size
    statements = [query["sql"].upper() for query in captured.captured_queries]
    assert not [sql for sql in statements if "COUNT(" in sql], statements
    assert not [sql for sql in statements if " OFFSET " in sql], statements


@pytest.mark.parametrize("name", list(LISTS))
def test_the_next_page_costs_the_same(
    world: World, name: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    setup, queries = LISTS[name]
    client, url = setup(world, 30)
    separator = "&" if "?" in url else "?"
    first = client.get(f"{url}{separator}page_size=10").json()

    with django_assert_num_queries(queries) as captured:
        second = client.get(first["next"])

    assert len(second.json()["results"]) == 10
    assert not [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("name", list(LISTS))
def test_page_size_is_clamped_to_100(world: World, name: str) -> None:
    setup, _ = LISTS[name]
    client, url = setup(world, 101)
    separator = "&" if "?" in url else "?"

    for page_size in ("100", "101", "99999999999999999999999"):
        body = client.get(f"{url}{separator}page_size={page_size}").json()
        assert len(body["results"]) == 100
        assert body["next"] is not None
    assert len(client.get(url).json()["results"]) == 20


# --- the ledger --------------------------------------------------------------------------------


def test_the_ledger_lists_newest_first_and_only_ours(
    world: World, clients: dict[str, APIClient]
) -> None:
    make_entries(world.acme, 3, actor=world.owner)
    make_entries(world.globex, 2, actor=world.outsider)

    body = clients["admin"].get(org_url(world.acme.pk, "/account/entries")).json()

    ids = [entry["id"] for entry in body["results"]]
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)
    assert set(body["results"][0]) == {"id", "amount_cents", "kind", "invoice_id", "created_at"}
    assert {(e["amount_cents"], e["kind"], e["invoice_id"]) for e in body["results"]} == {
        (1, "credit", None)
    }
    assert (body["next"], body["previous"]) == (None, None)


def test_an_empty_ledger_is_an_empty_page(world: World, clients: dict[str, APIClient]) -> None:
    body = clients["owner"].get(org_url(world.acme.pk, "/account/entries")).json()

    assert body == {"results": [], "next": None, "previous": None}


def test_ledger_pages_follow_next_and_previous(world: World, clients: dict[str, APIClient]) -> None:
    make_entries(world.acme, 25, actor=world.owner)
    admin = clients["admin"]

    first = admin.get(org_url(world.acme.pk, "/account/entries?page_size=10")).json()
    second = admin.get(first["next"]).json()
    third = admin.get(second["next"]).json()
    back = admin.get(third["previous"]).json()

    pages = (first, second, third)
    assert [len(page["results"]) for page in pages] == [10, 10, 5]
    ids = [entry["id"] for page in pages for entry in page["results"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 25
    assert (first["previous"], third["next"]) == (None, None)
    assert back == second


def test_a_missing_account_is_the_organizations_404(
    world: World, clients: dict[str, APIClient]
) -> None:
    # An organization without an account (created before billing, say): not a 500.
    Account.objects.filter(organization_id=world.acme.pk).delete()
    reference = clients["non_member"].get(org_url(world.acme.pk, "/account"))

    for suffix in ("/account", "/account/entries"):
        response = clients["owner"].get(org_url(world.acme.pk, suffix))
        assert response.status_code == 404
        assert response.content == reference.content
