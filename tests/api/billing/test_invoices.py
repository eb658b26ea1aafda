"""Invoices: staff issue them with numbers counting up per organization; admins list them newest
first, filtered by status, cursor-paginated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from adapters.billing.models import Account, Invoice
from contexts.billing.domain.model import MAX_AMOUNT_CENTS
from tests.api.billing.conftest import (
    DUE,
    World,
    issue,
    make_invoice,
    make_invoices,
    org_url,
    parse_time,
    snapshot,
)
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db

INVOICE_FIELDS = {
    "id",
    "number",
    "amount_cents",
    "currency",
    "status",
    "description",
    "due_date",
    "issued_at",
    "paid_at",
}


def test_staff_issue_an_invoice(world: World, clients: dict[str, APIClient]) -> None:
    before = timezone.now()

    response = issue(clients["staff"], world.acme.pk, amount_cents=4200, description="March")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == INVOICE_FIELDS
    assert body == {
        "id": body["id"],
        "number": 1,
        "amount_cents": 4200,
        "currency": "EUR",
        "status": "open",
        "description": "March",
        "due_date": DUE,
        "issued_at": body["issued_at"],
        "paid_at": None,
    }
    assert before <= parse_time(body["issued_at"]) <= timezone.now()
    stored = Invoice.objects.get(pk=body["id"])
    assert (stored.account_id, stored.number, stored.amount_cents) == (world.acme.pk, 1, 4200)


def test_the_description_is_optional(world: World, clients: dict[str, APIClient]) -> None:
    response = issue(clients["staff"], world.acme.pk)

    assert response.status_code == 201
    assert response.json()["description"] == ""


def test_numbers_count_up_per_organization(world: World, clients: dict[str, APIClient]) -> None:
    staff = clients["staff"]
    numbers = [
        (organization.name, issue(staff, organization.pk).json()["number"])
        for organization in (world.acme, world.globex, world.acme, world.acme, world.globex)
    ]

    assert numbers == [("Acme", 1), ("Globex", 1), ("Acme", 2), ("Acme", 3), ("Globex", 2)]
    assert Account.objects.get(organization_id=world.acme.pk).invoice_sequence == 3


def test_a_staff_member_issues_to_their_own_organization_too(
    world: World, clients: dict[str, APIClient]
) -> None:
    assert issue(clients["staff_member"], world.acme.pk).json()["number"] == 1
    assert issue(clients["staff_member"], world.globex.pk).json()["number"] == 1


def test_the_largest_amount_is_accepted(world: World, clients: dict[str, APIClient]) -> None:
    response = issue(clients["staff"], world.acme.pk, amount_cents=MAX_AMOUNT_CENTS)

    assert response.json()["amount_cents"] == MAX_AMOUNT_CENTS


@pytest.mark.parametrize(
    ("fields", "invalid"),
    [
        ({"amount_cents": 0}, {"amount_cents"}),
        ({"amount_cents": -1}, {"amount_cents"}),
        ({"amount_cents": 1.5}, {"amount_cents"}),
        ({"amount_cents": 100.0}, {"amount_cents"}),
        ({"amount_cents": "100"}, {"amount_cents"}),
        ({"amount_cents": MAX_AMOUNT_CENTS + 1}, {"amount_cents"}),
        ({"amount_cents": 10**20}, {"amount_cents"}),
        ({"amount_cents": True}, {"amount_cents"}),
        ({"amount_cents": None}, {"amount_cents"}),
        ({"currency": "eur"}, {"currency"}),
        ({"currency": "EURO"}, {"currency"}),
        ({"currency": "EU"}, {"currency"}),
        ({"currency": "E1R"}, {"currency"}),
        ({"currency": "USD"}, {"currency"}),  # not the account's currency
        ({"currency": ""}, {"currency"}),
        ({"currency": 978}, {"currency"}),
        ({"currency": None}, {"currency"}),
        ({"due_date": "2030-02-30"}, {"due_date"}),
        ({"due_date": "tomorrow"}, {"due_date"}),
        ({"due_date": 20300131}, {"due_date"}),
        ({"due_date": ""}, {"due_date"}),
        ({"due_date": None}, {"due_date"}),
        ({"description": "x" * 501}, {"description"}),
        ({"description": 5}, {"description"}),
        ({"description": None}, {"description"}),
        ({"number": 7}, {"number"}),
        ({"status": "paid"}, {"status"}),
        ({"id": 1}, {"id"}),
        ({"organization": 2}, {"organization"}),
        ({"issued_at": "2020-01-01T00:00:00Z"}, {"issued_at"}),
        ({"paid_at": "2020-01-01T00:00:00Z"}, {"paid_at"}),
    ],
)
def test_invoice_input_is_validated(
    world: World, clients: dict[str, APIClient], fields: dict[str, Any], invalid: set[str]
) -> None:
    before = snapshot()

    response = issue(clients["staff"], world.acme.pk, **fields)

    assert_problem(response, 400, fields=invalid)
    assert snapshot() == before  # no invoice, and no invoice number used up


@pytest.mark.parametrize("missing", ["amount_cents", "currency", "due_date"])
def test_required_invoice_fields(world: World, clients: dict[str, APIClient], missing: str) -> None:
    payload = {"amount_cents": 100, "currency": "EUR", "due_date": DUE}
    del payload[missing]

    response = clients["staff"].post(org_url(world.acme.pk, "/invoices"), payload, format="json")

    assert_problem(response, 400, fields={missing})


def test_a_refused_invoice_leaves_no_gap_in_the_numbers(
    world: World, clients: dict[str, APIClient]
) -> None:
    staff = clients["staff"]
    assert_problem(issue(staff, world.acme.pk, currency="USD"), 400, fields={"currency"})

    assert issue(staff, world.acme.pk).json()["number"] == 1


def test_the_account_currency_is_named_in_the_error(
    world: World, clients: dict[str, APIClient]
) -> None:
    body = assert_problem(issue(clients["staff"], world.acme.pk, currency="USD"), 400)

    assert body["errors"]["currency"] == ["This organization is billed in EUR."]


# --- reading -----------------------------------------------------------------------------------


def test_an_invoice_reads_as_it_was_issued(world: World, clients: dict[str, APIClient]) -> None:
    issued = issue(clients["staff"], world.acme.pk, description="Setup fee").json()

    for role in ("admin", "owner"):
        response = clients[role].get(org_url(world.acme.pk, f"/invoices/{issued['id']}"))
        assert response.status_code == 200
        assert response.json() == issued


def test_invoices_are_listed_newest_first(world: World, clients: dict[str, APIClient]) -> None:
    issued = [issue(clients["staff"], world.acme.pk, amount_cents=n).json() for n in (1, 2, 3)]
    issue(clients["staff"], world.globex.pk)  # another organization's

    body = clients["admin"].get(org_url(world.acme.pk, "/invoices")).json()

    assert body["results"] == issued[::-1]
    assert (body["next"], body["previous"]) == (None, None)


@pytest.fixture
def mixed(world: World) -> dict[str, list[int]]:
    """acme's invoices by status: 3 open, 2 paid, 1 void, interleaved in time."""
    ids: dict[str, list[int]] = {"open": [], "paid": [], "void": []}
    for status in ("open", "paid", "open", "void", "paid", "open"):
        ids[status].append(make_invoices(world.acme, 1, status=status)[0].pk)
    return ids


@pytest.mark.parametrize("status", ["open", "paid", "void"])
def test_invoices_filter_by_status(
    world: World, clients: dict[str, APIClient], mixed: dict[str, list[int]], status: str
) -> None:
    body = clients["admin"].get(org_url(world.acme.pk, f"/invoices?status={status}")).json()

    assert [i["id"] for i in body["results"]] == sorted(mixed[status], reverse=True)
    assert {i["status"] for i in body["results"]} == {status}
    for invoice in body["results"]:
        assert (invoice["paid_at"] is not None) == (status == "paid")


@pytest.mark.parametrize("status", ["OPEN", "unpaid", "", "open,paid", "1"])
def test_an_unknown_status_filter_is_a_400(
    world: World, clients: dict[str, APIClient], status: str
) -> None:
    response = clients["admin"].get(org_url(world.acme.pk, "/invoices"), {"status": status})

    assert_problem(response, 400, fields={"status"})


def test_invoice_pages_follow_next_and_previous(
    world: World, clients: dict[str, APIClient]
) -> None:
    created = [invoice.pk for invoice in make_invoices(world.acme, 25)]
    admin = clients["admin"]

    first = admin.get(org_url(world.acme.pk, "/invoices?page_size=10")).json()
    second = admin.get(first["next"]).json()
    third = admin.get(second["next"]).json()
    back = admin.get(third["previous"]).json()
    start = admin.get(back["previous"]).json()

    assert [len(page["results"]) for page in (first, second, third)] == [10, 10, 5]
    listed = [i["id"] for page in (first, second, third) for i in page["results"]]
    assert listed == created[::-1]
    assert first["previous"] is None
    assert third["next"] is None
    assert back["results"] == second["results"]
    assert start["results"] == first["results"]
    assert start["previous"] is None
    assert first["next"].startswith(f"http://testserver/api/v1/orgs/{world.acme.pk}/invoices?")


def test_invoices_with_the_same_issue_time_are_paged_without_loss(
    world: World, clients: dict[str, APIClient]
) -> None:
    created = make_invoices(world.acme, 7)
    Invoice.objects.filter(pk__in=[i.pk for i in created]).update(
        issued_at=timezone.now() - timedelta(hours=1)
    )
    url: str | None = org_url(world.acme.pk, "/invoices?page_size=2")
    listed: list[int] = []
    while url:
        page = clients["admin"].get(url).json()
        listed += [i["id"] for i in page["results"]]
        url = page["next"]

    assert listed == sorted((i.pk for i in created), reverse=True)


def test_the_status_filter_survives_pagination(world: World, clients: dict[str, APIClient]) -> None:
    for status in ("open", "paid") * 6:
        make_invoices(world.acme, 1, status=status)

    first = clients["admin"].get(org_url(world.acme.pk, "/invoices?status=paid&page_size=4"))
    second = clients["admin"].get(first.json()["next"]).json()

    assert "status=paid" in first.json()["next"]
    statuses = [i["status"] for i in first.json()["results"] + second["results"]]
    assert statuses == ["paid"] * 6
    assert second["next"] is None


@pytest.mark.parametrize("page_size", ["101", "1000", "100000000000000000000"])
def test_invoice_page_size_is_clamped_to_100(
    world: World, clients: dict[str, APIClient], page_size: str
) -> None:
    make_invoices(world.acme, 105)

    body = clients["admin"].get(org_url(world.acme.pk, f"/invoices?page_size={page_size}")).json()

    assert len(body["results"]) == 100
    assert body["next"] is not None


def test_the_default_page_is_20(world: World, clients: dict[str, APIClient]) -> None:
    make_invoices(world.acme, 21)

    body = clients["admin"].get(org_url(world.acme.pk, "/invoices")).json()

    assert len(body["results"]) == 20
    assert body["next"] is not None


def test_staff_void_open_invoices_from_the_admin(world: World) -> None:
    from django.test import Client

    open_invoice = make_invoice(world.acme, amount_cents=100)
    world.staff.is_superuser = True
    world.staff.save(update_fields=["is_superuser"])
    admin = Client()
    admin.force_login(world.staff)

    response = admin.post(
        "/admin/billing/invoice/",
        {"action": "void_selected", "_selected_action": [open_invoice.pk]},
    )

    assert response.status_code == 302
    open_invoice.refresh_from_db()
    assert open_invoice.status == "void"
