"""Money moves: credits and invoice payments, with Idempotency-Key. After every scenario the
balance of every account equals the sum of its ledger."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from adapters.billing.models import Invoice, LedgerEntry
from adapters.billing.repositories import DjangoLedgerRepository
from adapters.organizations.models import Membership
from adapters.platform.idempotency.models import IdempotencyRecord
from contexts.billing.domain.model import MAX_AMOUNT_CENTS
from tests.api.billing.conftest import (
    World,
    answering_500s,
    assert_ledger_consistent,
    balance,
    credit,
    fund,
    make_invoice,
    org_url,
    parse_time,
    pay,
    replayed,
    snapshot,
)
from tests.api.helpers import assert_problem, problem_type
from tests.conftest import client_for
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOT_PAYABLE = problem_type("invoice-not-payable")
INSUFFICIENT = problem_type("insufficient-funds")
KEY_REUSED = problem_type("idempotency-key-reused")


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(world: World) -> Iterator[None]:
    yield
    assert_ledger_consistent()


@pytest.fixture
def owner(clients: dict[str, APIClient]) -> APIClient:
    return clients["owner"]


@pytest.fixture
def admin(clients: dict[str, APIClient]) -> APIClient:
    return clients["admin"]


# --- credits -----------------------------------------------------------------------------------


def test_a_credit_returns_the_entry_and_the_new_balance(world: World, owner: APIClient) -> None:
    fund(world.acme, 300, actor=world.owner)
    before = timezone.now()

    response = credit(owner, world.acme.pk, 1200, "credit-1")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "amount_cents": 1200,
        "kind": "credit",
        "invoice_id": None,
        "created_at": body["created_at"],
        "balance_cents": 1500,
    }
    assert before <= parse_time(body["created_at"]) <= timezone.now()
    entry = LedgerEntry.objects.get(pk=body["id"])
    assert (entry.account_id, entry.amount_cents, entry.actor_id) == (
        world.acme.pk,
        1200,
        world.owner.pk,
    )
    assert balance(world.acme) == 1500
    assert not replayed(response)


def test_the_account_shows_balance_and_currency(world: World, owner: APIClient) -> None:
    credit(owner, world.acme.pk, 250, "a")

    response = owner.get(org_url(world.acme.pk, "/account"))

    assert response.json() == {"balance_cents": 250, "currency": "EUR"}


@pytest.mark.parametrize("amount", [1, MAX_AMOUNT_CENTS])
def test_credit_bounds_are_inclusive(world: World, owner: APIClient, amount: int) -> None:
    assert credit(owner, world.acme.pk, amount, "k").status_code == 201
    assert balance(world.acme) == amount


@pytest.mark.parametrize(
    "amount", [0, -1, -500, MAX_AMOUNT_CENTS + 1, 10**20, 1.5, 10.0, "100", True, False, None, []]
)
def test_invalid_credit_amounts_change_nothing(world: World, owner: APIClient, amount: Any) -> None:
    fund(world.acme, 100, actor=world.owner)
    before = snapshot()

    response = credit(owner, world.acme.pk, amount, "bad-amount")

    assert_problem(response, 400, fields={"amount_cents"})
    after = snapshot()
    del before["idempotency"], after["idempotency"]  # the 400 is remembered for the key
    assert after == before


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"amount_cents"}),
        ({"amount_cents": 5, "balance_cents": 10}, {"balance_cents"}),
        ({"amount_cents": 5, "kind": "invoice_payment"}, {"kind"}),
        ({"amount_cents": 5, "currency": "EUR"}, {"currency"}),
        ({"amount_cents": 5, "organization_id": 2}, {"organization_id"}),
    ],
)
def test_credit_input_is_whitelisted(
    world: World, owner: APIClient, payload: dict[str, Any], fields: set[str]
) -> None:
    response = owner.post(
        org_url(world.acme.pk, "/account/credits"),
        payload,
        format="json",
        HTTP_IDEMPOTENCY_KEY="whitelist",
    )

    assert_problem(response, 400, fields=fields)
    assert balance(world.acme) == 0
    assert not LedgerEntry.objects.exists()


# --- paying ------------------------------------------------------------------------------------


@pytest.fixture
def invoice(world: World) -> Invoice:
    """An open invoice of 1000 on an account holding 2500."""
    fund(world.acme, 2500, actor=world.owner)
    return make_invoice(world.acme, amount_cents=1000)


def test_paying_returns_the_paid_invoice_and_debits_the_account(
    world: World, admin: APIClient, invoice: Invoice
) -> None:
    before = timezone.now()

    response = pay(admin, world.acme.pk, invoice.pk, "pay-1")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
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
    assert (body["id"], body["number"], body["amount_cents"]) == (invoice.pk, 1, 1000)
    assert body["status"] == "paid"
    assert before <= parse_time(body["paid_at"]) <= timezone.now()
    assert balance(world.acme) == 1500
    entry = LedgerEntry.objects.get(invoice_id=invoice.pk)
    assert (entry.amount_cents, entry.kind, entry.actor_id) == (
        -1000,
        "invoice_payment",
        world.admin.pk,
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_at) == ("paid", parse_time(body["paid_at"]))
    # The invoice reads as paid, and the ledger shows the payment on top.
    detail = admin.get(org_url(world.acme.pk, f"/invoices/{invoice.pk}")).json()
    assert detail == body
    entries = admin.get(org_url(world.acme.pk, "/account/entries")).json()["results"]
    assert entries[0] == {
        "id": entry.pk,
        "amount_cents": -1000,
        "kind": "invoice_payment",
        "invoice_id": invoice.pk,
        "created_at": body["paid_at"],
    }
    assert [e["amount_cents"] for e in entries] == [-1000, 2500]


def test_the_balance_may_reach_exactly_zero(world: World, admin: APIClient) -> None:
    fund(world.acme, 1000, actor=world.owner)
    exact = make_invoice(world.acme, amount_cents=1000)

    assert pay(admin, world.acme.pk, exact.pk, "exact").status_code == 200
    assert balance(world.acme) == 0


def test_paying_again_with_a_new_key_is_not_payable(
    world: World, admin: APIClient, invoice: Invoice
) -> None:
    assert pay(admin, world.acme.pk, invoice.pk, "first").status_code == 200
    before = snapshot()

    response = pay(admin, world.acme.pk, invoice.pk, "second")

    body = assert_problem(response, 409)
    assert body["type"] == NOT_PAYABLE
    assert not replayed(response)
    after = snapshot()
    assert len(after.pop("idempotency")) == len(before.pop("idempotency")) + 1
    assert after == before
    assert balance(world.acme) == 1500


def test_a_void_invoice_is_not_payable(world: World, admin: APIClient) -> None:
    fund(world.acme, 5000, actor=world.owner)
    void = make_invoice(world.acme, status="void")
    before = balance(world.acme)

    assert assert_problem(pay(admin, world.acme.pk, void.pk, "v"), 409)["type"] == NOT_PAYABLE
    assert balance(world.acme) == before
    void.refresh_from_db()
    assert void.status == "void"


def test_an_invoice_in_another_currency_is_refused(world: World, admin: APIClient) -> None:
    fund(world.acme, 5000, actor=world.owner)
    dollars = make_invoice(world.acme, currency="USD")

    body = assert_problem(pay(admin, world.acme.pk, dollars.pk, "usd"), 409)

    assert body["type"] == problem_type("currency-mismatch")
    assert balance(world.acme) == 5000
    assert not LedgerEntry.objects.filter(invoice=dollars).exists()


def test_insufficient_funds_change_nothing(world: World, admin: APIClient) -> None:
    fund(world.acme, 999, actor=world.owner)
    expensive = make_invoice(world.acme, amount_cents=1000)
    before = snapshot()

    response = pay(admin, world.acme.pk, expensive.pk, "poor")

    body = assert_problem(response, 409)
    assert body["type"] == INSUFFICIENT
    after = snapshot()
    del after["idempotency"], before["idempotency"]  # the 409 is remembered for the key
    assert after == before
    expensive.refresh_from_db()
    assert (expensive.status, expensive.paid_at) == ("open", None)


def test_an_empty_account_cannot_pay(world: World, admin: APIClient) -> None:
    unpaid = make_invoice(world.acme, amount_cents=1)

    assert assert_problem(pay(admin, world.acme.pk, unpaid.pk, "empty"), 409)["type"] == (
        INSUFFICIENT
    )
    assert balance(world.acme) == 0


def test_paying_one_invoice_leaves_the_others_open(
    world: World, admin: APIClient, invoice: Invoice
) -> None:
    other = make_invoice(world.acme, amount_cents=1000)

    pay(admin, world.acme.pk, invoice.pk, "one")

    other.refresh_from_db()
    assert other.status == "open"
    assert pay(admin, world.acme.pk, other.pk, "two").status_code == 200
    assert_problem(pay(admin, world.acme.pk, make_invoice(world.acme).pk, "three"), 409)
    assert balance(world.acme) == 500


# --- Idempotency-Key ---------------------------------------------------------------------------


def _keyed(world: World, invoice: Invoice) -> list[tuple[str, str, dict[str, Any]]]:
    """(role, url, body) of both keyed endpoints."""
    return [
        ("admin", org_url(world.acme.pk, f"/invoices/{invoice.pk}/pay"), {}),
        ("owner", org_url(world.acme.pk, "/account/credits"), {"amount_cents": 100}),
    ]


@pytest.mark.parametrize("endpoint", [0, 1], ids=["pay", "credits"])
@pytest.mark.parametrize(
    "key",
    [None, "", "k" * 256, "clé", "has space", "tab\tkey", "new\nline", "trailing-newline\n"],
    ids=["missing", "empty", "256-chars", "non-ascii", "space", "tab", "newline", "trailing-nl"],
)
def test_an_unacceptable_idempotency_key_is_a_400_naming_the_header(
    world: World, clients: dict[str, APIClient], invoice: Invoice, endpoint: int, key: str | None
) -> None:
    role, url, payload = _keyed(world, invoice)[endpoint]
    client = clients[role]
    before = snapshot()

    if key is None:
        response = client.post(url, payload, format="json")
    else:
        response = client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert_problem(response, 400, fields={"Idempotency-Key"})
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", [0, 1], ids=["pay", "credits"])
def test_a_255_character_key_is_fine(
    world: World, clients: dict[str, APIClient], invoice: Invoice, endpoint: int
) -> None:
    role, url, payload = _keyed(world, invoice)[endpoint]
    key = "~" + "K" * 253 + "!"

    response = clients[role].post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code in (200, 201), response.content
    assert IdempotencyRecord.objects.get().key == key


@pytest.mark.parametrize("endpoint", [0, 1], ids=["pay", "credits"])
def test_a_replay_returns_the_first_response_and_does_nothing(
    world: World, clients: dict[str, APIClient], invoice: Invoice, endpoint: int
) -> None:
    role, url, payload = _keyed(world, invoice)[endpoint]
    client = clients[role]
    first = client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="once")
    assert first.status_code in (200, 201), first.content
    after_first = snapshot()

    replays = [
        client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="once") for _ in range(2)
    ]

    for replay in replays:
        assert replay.status_code == first.status_code
        assert replay.json() == first.json()
        assert replay.content == first.content
        assert replay["Content-Type"] == first["Content-Type"]
        assert replayed(replay)
    assert snapshot() == after_first  # no second entry, no second balance change
    assert LedgerEntry.objects.count() == 2  # the funding credit and this operation


def test_a_replayed_credit_reports_the_balance_of_its_time(world: World, owner: APIClient) -> None:
    first = credit(owner, world.acme.pk, 100, "first")
    credit(owner, world.acme.pk, 50, "second")

    replay = credit(owner, world.acme.pk, 100, "first")

    assert replay.json() == first.json()
    assert replay.json()["balance_cents"] == 100
    assert balance(world.acme) == 150


@pytest.mark.parametrize(
    "other",
    [{"amount_cents": 101}, {"amount_cents": 100, "x": 1}],
    ids=["other-amount", "extra-field"],
)
def test_the_same_key_with_another_body_is_a_422(
    world: World, owner: APIClient, other: dict[str, Any]
) -> None:
    assert credit(owner, world.acme.pk, 100, "reused").status_code == 201
    before = snapshot()

    response = owner.post(
        org_url(world.acme.pk, "/account/credits"),
        other,
        format="json",
        HTTP_IDEMPOTENCY_KEY="reused",
    )

    assert assert_problem(response, 422)["type"] == KEY_REUSED
    assert snapshot() == before


def test_the_same_key_on_another_endpoint_or_organization_is_a_422(
    world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    owner = clients["owner"]
    Membership.objects.create(organization=world.globex, user=world.owner, role="owner")
    assert credit(owner, world.acme.pk, 100, "shared").status_code == 201
    before = snapshot()

    assert_problem(pay(owner, world.acme.pk, invoice.pk, "shared"), 422)
    assert_problem(credit(owner, world.globex.pk, 100, "shared"), 422)
    assert snapshot() == before


def test_whitespace_in_the_body_does_not_matter(world: World, owner: APIClient) -> None:
    url = org_url(world.acme.pk, "/account/credits")
    first = owner.generic(
        "POST", url, '{"amount_cents": 7}', "application/json", HTTP_IDEMPOTENCY_KEY="ws"
    )
    replay = owner.generic(
        "POST", url, '{ "amount_cents" :7 }', "application/json", HTTP_IDEMPOTENCY_KEY="ws"
    )

    assert first.status_code == replay.status_code == 201
    assert replayed(replay)
    assert balance(world.acme) == 7


def test_keys_are_scoped_to_the_user(
    world: World, clients: dict[str, APIClient], invoice: Invoice
) -> None:
    co_owner = make_user(email="co-owner@acme.example")
    Membership.objects.create(organization=world.acme, user=co_owner, role="owner")
    second = make_invoice(world.acme, amount_cents=1000)

    credits = [
        credit(client, world.acme.pk, 100, "same-key")
        for client in (clients["owner"], client_for(co_owner))
    ]
    payments = [
        pay(clients["admin"], world.acme.pk, invoice.pk, "same-key"),
        pay(clients["owner"], world.acme.pk, second.pk, "pay-key"),
        pay(client_for(co_owner), world.acme.pk, second.pk, "pay-key"),
    ]

    assert [r.status_code for r in credits] == [201, 201]
    assert [r.json()["balance_cents"] for r in credits] == [2600, 2700]
    assert [r.status_code for r in payments] == [200, 200, 409]
    assert not any(replayed(r) for r in (*credits, *payments))
    assert balance(world.acme) == 700


def test_a_replayed_409_stays_a_409_after_funds_arrive(world: World, admin: APIClient) -> None:
    expensive = make_invoice(world.acme, amount_cents=1000)
    first = pay(admin, world.acme.pk, expensive.pk, "too-early")
    assert assert_problem(first, 409)["type"] == INSUFFICIENT
    fund(world.acme, 5000, actor=world.owner)

    replay = pay(admin, world.acme.pk, expensive.pk, "too-early")

    assert assert_problem(replay, 409) == first.json()
    assert replayed(replay)
    assert balance(world.acme) == 5000
    expensive.refresh_from_db()
    assert expensive.status == "open"
    # A new key is a new attempt.
    assert pay(admin, world.acme.pk, expensive.pk, "now").status_code == 200
    assert balance(world.acme) == 4000


def test_a_replayed_404_stays_a_404(world: World, admin: APIClient) -> None:
    first = pay(admin, world.acme.pk, 987654, "ghost")

    replay = pay(admin, world.acme.pk, 987654, "ghost")

    assert assert_problem(replay, 404) == assert_problem(first, 404)
    assert replayed(replay)


def test_denied_keyed_requests_do_not_burn_the_key(
    world: World, clients: dict[str, APIClient]
) -> None:
    # The admin may not credit: no record is kept, so the key is still free for what the admin
    # may do.
    fund(world.acme, 5000, actor=world.owner)
    unpaid = make_invoice(world.acme, amount_cents=100)
    assert_problem(credit(clients["admin"], world.acme.pk, 100, "admin-key"), 403)
    assert not IdempotencyRecord.objects.exists()

    response = pay(clients["admin"], world.acme.pk, unpaid.pk, "admin-key")

    assert response.status_code == 200
    assert not replayed(response)


def test_a_series_of_operations_keeps_the_ledger_exact(
    world: World, clients: dict[str, APIClient]
) -> None:
    owner, admin = clients["owner"], clients["admin"]
    invoices = [make_invoice(world.acme, amount_cents=amount).pk for amount in (300, 700)]
    outcomes = [
        credit(owner, world.acme.pk, 500, "c1").status_code,
        pay(admin, world.acme.pk, invoices[0], "p1").status_code,
        pay(admin, world.acme.pk, invoices[1], "p2").status_code,  # 200 left: too little
        credit(owner, world.acme.pk, 500, "c2").status_code,
        pay(admin, world.acme.pk, invoices[1], "p2").status_code,  # replay: still 409
        pay(admin, world.acme.pk, invoices[1], "p3").status_code,
        credit(owner, world.acme.pk, 500, "c1").status_code,  # replay
    ]

    assert outcomes == [201, 200, 409, 201, 409, 200, 201]
    assert balance(world.acme) == 0
    entries = owner.get(org_url(world.acme.pk, "/account/entries")).json()["results"]
    assert [(e["amount_cents"], e["invoice_id"]) for e in entries] == [
        (-700, invoices[1]),
        (500, None),
        (-300, invoices[0]),
        (500, None),
    ]
    assert sum(e["amount_cents"] for e in entries) == balance(world.acme)


# --- a failure half-way rolls everything back --------------------------------------------------


def _fail_ledger_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next ledger append blow up, after the balance (and invoice) were written."""
    append = DjangoLedgerRepository.append

    def boom(self: DjangoLedgerRepository, **kwargs: Any) -> Any:
        monkeypatch.setattr(DjangoLedgerRepository, "append", append)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(DjangoLedgerRepository, "append", boom)


def test_a_payment_failing_half_way_changes_nothing_and_frees_the_key(
    world: World, clients: dict[str, APIClient], invoice: Invoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_ledger_once(monkeypatch)
    before = snapshot()

    failed = pay(answering_500s(clients["admin"]), world.acme.pk, invoice.pk, "retry-me")

    assert_problem(failed, 500)
    assert snapshot() == before  # balance, invoice status and idempotency record rolled back
    retried = pay(clients["admin"], world.acme.pk, invoice.pk, "retry-me")
    assert retried.status_code == 200
    assert not replayed(retried)
    assert balance(world.acme) == 1500


def test_a_credit_failing_half_way_changes_nothing_and_frees_the_key(
    world: World, clients: dict[str, APIClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_ledger_once(monkeypatch)
    before = snapshot()

    failed = credit(answering_500s(clients["owner"]), world.acme.pk, 100, "retry-me")

    assert_problem(failed, 500)
    assert snapshot() == before
    retried = credit(clients["owner"], world.acme.pk, 100, "retry-me")
    assert retried.status_code == 201
    assert retried.json()["balance_cents"] == 100
