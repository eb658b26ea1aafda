"""Every billing route under /orgs/{org_id}/ x every role (staff too): the status code, and that
denied writes change nothing at all. Non-members, foreign ids and missing ids are the same 404,
byte for byte."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from adapters.billing.models import Invoice
from tests.api.billing.conftest import (
    DUE,
    MISSING_ID,
    ROLES,
    World,
    assert_ledger_consistent,
    balance,
    fund,
    make_invoice,
    org_url,
    pay,
    snapshot,
)
from tests.api.helpers import TestResponse as Reply
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db

KEY = "matrix-key-1"
NEW_INVOICE = {"amount_cents": 500, "currency": "EUR", "due_date": DUE}

# (client, organization id, invoice id) → response
Send = Callable[[APIClient, int, int], Reply]

ROUTES: dict[str, Send] = {
    "GET invoices": lambda c, o, i: c.get(org_url(o, "/invoices")),
    "POST invoices": lambda c, o, i: c.post(org_url(o, "/invoices"), NEW_INVOICE, format="json"),
    "GET invoice": lambda c, o, i: c.get(org_url(o, f"/invoices/{i}")),
    "POST pay": lambda c, o, i: c.post(org_url(o, f"/invoices/{i}/pay"), HTTP_IDEMPOTENCY_KEY=KEY),
    "GET account": lambda c, o, i: c.get(org_url(o, "/account")),
    "GET entries": lambda c, o, i: c.get(org_url(o, "/account/entries")),
    "POST credits": lambda c, o, i: c.post(
        org_url(o, "/account/credits"),
        {"amount_cents": 700},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    ),
}

# Expected status per role, in the order of ROLES:
# anonymous, non_member, member, admin, owner, staff (no member), staff_member (role member).
ADMIN_READ = (401, 404, 403, 200, 200, 404, 403)
EXPECTED: dict[str, tuple[int, ...]] = {
    "GET invoices": ADMIN_READ,
    "POST invoices": (401, 404, 403, 403, 403, 201, 201),
    "GET invoice": ADMIN_READ,
    "POST pay": ADMIN_READ,
    "GET account": ADMIN_READ,
    "GET entries": ADMIN_READ,
    "POST credits": (401, 404, 403, 403, 201, 404, 403),
}


@pytest.fixture
def invoice(world: World) -> Invoice:
    """An open invoice of acme's (1000) that its balance (5000) can pay."""
    fund(world.acme, 5000, actor=world.owner)
    return make_invoice(world.acme, amount_cents=1000)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(
    route: str, role: str, world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    expected = EXPECTED[route][ROLES.index(role)]
    before = snapshot()

    response = ROUTES[route](clients[role], world.acme.pk, invoice.pk)

    assert response.status_code == expected, (route, role, response.content)
    if expected >= 400:
        assert_problem(response, expected)
        assert snapshot() == before, f"{route} as {role} was denied but changed data"
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"
    assert_ledger_consistent()


def test_allowed_writes_do_what_they_say(
    world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    acme = world.acme.pk
    assert ROUTES["POST pay"](clients["admin"], acme, invoice.pk).json()["status"] == "paid"
    assert balance(world.acme) == 4000
    assert ROUTES["POST credits"](clients["owner"], acme, 0).json()["balance_cents"] == 4700
    issued = ROUTES["POST invoices"](clients["staff"], acme, 0).json()
    assert (issued["number"], issued["amount_cents"], issued["status"]) == (2, 500, "open")
    assert balance(world.acme) == 4700
    assert_ledger_consistent()


@pytest.mark.parametrize("route", ["POST pay", "POST credits"])
@pytest.mark.parametrize("role", ["anonymous", "non_member", "member"])
def test_access_is_decided_before_the_idempotency_key_is_asked_for(
    route: str, role: str, world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    url = org_url(world.acme.pk, "/account/credits")
    if route == "POST pay":
        url = org_url(world.acme.pk, f"/invoices/{invoice.pk}/pay")
    before = snapshot()

    response = clients[role].post(url, {"amount_cents": 5}, format="json")  # no key

    assert_problem(response, {"anonymous": 401, "non_member": 404, "member": 403}[role])
    assert snapshot() == before


def test_an_admin_may_not_credit_even_with_a_key(
    world: World, clients: dict[str, APIClient]
) -> None:
    before = snapshot()

    response = clients["admin"].post(
        org_url(world.acme.pk, "/account/credits"),
        {"amount_cents": 5},
        format="json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )

    assert_problem(response, 403)
    assert snapshot() == before  # no idempotency record either


# --- 404 hides ---------------------------------------------------------------------------------


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_foreign_organization_is_indistinguishable_from_a_missing_one(
    route: str, world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    client = clients["non_member"]
    before = snapshot()

    foreign = ROUTES[route](client, world.acme.pk, invoice.pk)
    missing = ROUTES[route](client, MISSING_ID, invoice.pk)

    assert_problem(foreign, 404)
    assert foreign.content == missing.content
    assert foreign["Content-Type"] == missing["Content-Type"]
    assert snapshot() == before


@pytest.mark.parametrize("route", list(ROUTES))
def test_staff_reach_a_missing_organization_only_as_the_same_404(
    route: str, world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    # Staff may issue invoices anywhere; a missing organization is still the usual 404.
    before = snapshot()
    reference = ROUTES[route](clients["non_member"], world.acme.pk, invoice.pk)

    response = ROUTES[route](clients["staff"], MISSING_ID, invoice.pk)

    assert_problem(response, 404)
    assert response.content == reference.content
    assert snapshot() == before


@pytest.mark.parametrize("route", ["GET invoice", "POST pay"])
def test_another_organizations_invoice_is_indistinguishable_from_a_missing_one(
    route: str, world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    fund(world.globex, 5000, actor=world.outsider)
    theirs = make_invoice(world.globex, amount_cents=100)
    before = snapshot()
    mine = clients["owner"]

    if route == "POST pay":
        foreign = pay(mine, world.acme.pk, theirs.pk, "foreign")
        missing = pay(mine, world.acme.pk, MISSING_ID, "missing")
    else:
        foreign = ROUTES[route](mine, world.acme.pk, theirs.pk)
        missing = ROUTES[route](mine, world.acme.pk, MISSING_ID)

    body = assert_problem(foreign, 404)
    assert body["detail"] == "No such invoice."
    assert foreign.content == missing.content
    theirs.refresh_from_db()
    assert theirs.status == "open"
    after = snapshot()
    # A 404 answer to a keyed POST is remembered for that key; nothing else changes.
    after.pop("idempotency")
    before.pop("idempotency")
    assert after == before


def test_an_outsider_cannot_pay_our_invoice_through_their_own_organization(
    world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    # globex's owner addresses acme's invoice through globex: not found, and still open.
    response = pay(clients["non_member"], world.globex.pk, invoice.pk, "cross-tenant")

    assert_problem(response, 404)
    invoice.refresh_from_db()
    assert invoice.status == "open"
    assert balance(world.acme) == 5000


@pytest.mark.parametrize(
    "suffix",
    [
        "/invoices/999999999999999999",
        "/invoices/999999999999999999/pay",
        "/invoices/99999999999999999999999999",
        "/invoices/99999999999999999999999999/pay",
        "/invoices/-1",
        "/invoices/abc",
        "/invoices/0",
    ],
)
def test_huge_and_odd_invoice_ids_are_plain_404s(
    suffix: str, world: World, clients: dict[str, APIClient]
) -> None:
    client = clients["owner"]
    url = org_url(world.acme.pk, suffix)

    response = (
        client.post(url, HTTP_IDEMPOTENCY_KEY=KEY) if suffix.endswith("/pay") else client.get(url)
    )

    assert_problem(response, 404)


@pytest.mark.parametrize(
    "org", ["999999999999999999", "99999999999999999999999999", "-1", "abc", "0"]
)
@pytest.mark.parametrize("suffix", ["/invoices", "/account", "/account/entries"])
def test_huge_and_odd_organization_ids_are_plain_404s(
    org: str, suffix: str, clients: dict[str, APIClient]
) -> None:
    assert_problem(clients["owner"].get(f"/api/v1/orgs/{org}{suffix}"), 404)
    assert_problem(clients["staff"].get(f"/api/v1/orgs/{org}{suffix}"), 404)
    if suffix == "/invoices":
        url = f"/api/v1/orgs/{org}/invoices"
        assert_problem(clients["staff"].post(url, NEW_INVOICE, format="json"), 404)


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("delete", "/invoices"),
        ("put", "/invoices/{invoice}"),
        ("patch", "/invoices/{invoice}"),
        ("delete", "/invoices/{invoice}"),
        ("get", "/invoices/{invoice}/pay"),
        ("patch", "/account"),
        ("delete", "/account"),
        ("post", "/account/entries"),
        ("get", "/account/credits"),
    ],
)
def test_other_methods_are_405s_for_the_owner_and_404s_for_outsiders(
    method: str, suffix: str, world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    before = snapshot()
    path = suffix.format(invoice=invoice.pk)

    allowed = getattr(clients["owner"], method)(org_url(world.acme.pk, path), {}, format="json")
    hidden = getattr(clients["non_member"], method)(org_url(world.acme.pk, path))
    missing = getattr(clients["non_member"], method)(org_url(MISSING_ID, path))

    assert_problem(allowed, 405)
    assert_problem(hidden, 404)
    assert hidden.content == missing.content
    assert snapshot() == before


def test_an_organization_created_through_the_api_has_an_empty_account(
    world: World, clients: dict[str, APIClient]
) -> None:
    created = clients["stranger"].post("/api/v1/orgs", {"name": "Initech"}, format="json")
    organization = created.json()["id"]

    account = clients["stranger"].get(org_url(organization, "/account"))

    assert account.status_code == 200, account.content
    assert account.json() == {"balance_cents": 0, "currency": "EUR"}
    assert issue_number(clients["staff"], organization) == 1


def issue_number(client: APIClient, organization_id: int) -> int:
    response = client.post(org_url(organization_id, "/invoices"), NEW_INVOICE, format="json")
    assert response.status_code == 201, response.content
    number: int = response.json()["number"]
    return number
