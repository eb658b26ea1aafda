"""Hostile and clumsy input on every billing endpoint: always a 4xx problem+json, never a 500, and
nothing changes."""

from __future__ import annotations

import base64
from typing import Any, cast

import pytest
from rest_framework.test import APIClient

from adapters.billing.models import Invoice
from tests.api.billing.conftest import (
    World,
    answering_500s,
    assert_ledger_consistent,
    fund,
    make_entries,
    make_invoice,
    make_invoices,
    org_url,
    snapshot,
)
from tests.api.helpers import TestResponse as Reply
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(world: World) -> Invoice:
    fund(world.acme, 5000, actor=world.owner)
    return make_invoice(world.acme, amount_cents=1000)


# (role, path) of every endpoint that takes a body. Keys go along; they are unique per test.
def _writes(world: World, invoice: Invoice) -> dict[str, tuple[str, str]]:
    return {
        "subscribe": ("stranger", "/api/v1/me/subscriptions"),
        "issue": ("staff", org_url(world.acme.pk, "/invoices")),
        "pay": ("admin", org_url(world.acme.pk, f"/invoices/{invoice.pk}/pay")),
        "credit": ("owner", org_url(world.acme.pk, "/account/credits")),
    }


WRITES = ["subscribe", "issue", "pay", "credit"]

BODIES: dict[str, tuple[str, str]] = {
    # name: (content type, raw body)
    "truncated JSON": ("application/json", '{"amount_cents": '),
    "trailing garbage": ("application/json", '{"amount_cents": 5} x'),
    "single quotes": ("application/json", "{'amount_cents': 5}"),
    "NaN": ("application/json", '{"amount_cents": NaN}'),
    "infinity": ("application/json", '{"amount_cents": 1e400}'),
    "array": ("application/json", '[{"amount_cents": 5}]'),
    "empty array": ("application/json", "[]"),
    "number": ("application/json", "42"),
    "string": ("application/json", '"amount_cents"'),
    "null": ("application/json", "null"),
    "true": ("application/json", "true"),
    "deep nesting": ("application/json", "[" * 5000 + "]" * 5000),
    "lone surrogate": ("application/json", '{"plan": "\\ud800"}'),
    "form": ("application/x-www-form-urlencoded", "amount_cents=5"),
    "multipart": ("multipart/form-data; boundary=x", "--x--"),
    "text": ("text/plain", "amount_cents=5"),
}


def _send(client: APIClient, path: str, content_type: str, body: str | bytes) -> Reply:
    # Django sends bytes as they are (the stubs only admit str): how invalid UTF-8 gets through.
    response: Reply = client.generic(
        "POST", path, cast(str, body), content_type, HTTP_IDEMPOTENCY_KEY="bad-input"
    )
    return response


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("write", WRITES)
def test_unparseable_bodies_are_4xx_problems_and_change_nothing(
    world: World,
    clients: dict[str, APIClient],
    invoice: Invoice,
    write: str,
    body: str,
) -> None:
    role, path = _writes(world, invoice)[write]
    client = answering_500s(clients[role])
    content_type, raw = BODIES[body]
    before = snapshot()

    response = _send(client, path, content_type, raw)

    assert 400 <= response.status_code < 500, response.content
    assert_problem(response, response.status_code)
    assert snapshot() == before
    assert_ledger_consistent()


@pytest.mark.parametrize("write", WRITES)
def test_invalid_utf8_is_a_400(
    world: World, clients: dict[str, APIClient], invoice: Invoice, write: str
) -> None:
    role, path = _writes(world, invoice)[write]
    client = answering_500s(clients[role])
    before = snapshot()

    response = _send(client, path, "application/json", b'{"amount_cents": "\xff\xfe"}')

    assert_problem(response, 400)
    assert snapshot() == before


@pytest.mark.parametrize("write", ["subscribe", "issue", "credit"])
def test_an_empty_body_names_the_missing_fields(
    world: World, clients: dict[str, APIClient], invoice: Invoice, write: str
) -> None:
    role, path = _writes(world, invoice)[write]
    client = clients[role]

    response = _send(client, path, "application/json", "")

    body = assert_problem(response, 400)
    assert body["errors"]
    assert all(messages for messages in body["errors"].values())


@pytest.mark.parametrize(
    "case",
    [
        ("subscribe", "plan", "api\u0000pro"),
        ("issue", "description", "nul\u0000byte"),
        ("issue", "currency", "E\u0000R"),
    ],
)
def test_nul_characters_are_refused(
    world: World, clients: dict[str, APIClient], invoice: Invoice, case: tuple[str, str, str]
) -> None:
    write, field, value = case
    role, path = _writes(world, invoice)[write]
    client = clients[role]
    payloads: dict[str, dict[str, Any]] = {
        "subscribe": {"plan": "api-pro", "start_date": "2030-01-01", "end_date": "2030-02-01"},
        "issue": {"amount_cents": 5, "currency": "EUR", "due_date": "2030-01-01"},
    }
    payload = payloads[write]

    response = client.post(path, {**payload, field: value}, format="json")

    assert_problem(response, 400, fields={field})


# --- query strings of the lists ----------------------------------------------------------------


def _lists(world: World) -> dict[str, tuple[str, str]]:
    return {
        "plans": ("owner", "/api/v1/plans"),
        "subscriptions": ("owner", "/api/v1/me/subscriptions"),
        "invoices": ("admin", org_url(world.acme.pk, "/invoices")),
        "entries": ("admin", org_url(world.acme.pk, "/account/entries")),
    }


LISTS = ["plans", "subscriptions", "invoices", "entries"]


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


BAD_QUERIES = [
    "page_size=0",
    "page_size=-1",
    "page_size=abc",
    "page_size=1.5",
    "page_size=1e3",
    "page_size=%201",
    "page_size=0x10",
    "cursor=garbage",
    "cursor=%00",
    "cursor=%FF%FE",
    "cursor=" + "A" * 5000,
    "cursor=W10",  # []
    "cursor=" + _cursor('["x", [1]]'),
    "cursor=" + _cursor('["n"]'),
    "cursor=" + _cursor('{"n": [1]}'),
    "cursor=" + _cursor('["n", [1, 2, 3]]'),
    "cursor=" + _cursor('["n", [true, 1]]'),
    "cursor=" + _cursor('["n", [1.5, 1]]'),
    "cursor=" + _cursor('["n", [null, 1]]'),
    "cursor=" + _cursor('["n", [[1], {"a": 1}]]'),
    "cursor=" + _cursor('["n", [1e400]]'),
    "cursor=" + _cursor('["n", [123456789012345678901234567890]]'),
    "cursor=" + _cursor('"n"'),
    "cursor=" + _cursor("n"),
]


@pytest.mark.parametrize("query", BAD_QUERIES)
@pytest.mark.parametrize("name", LISTS)
def test_malformed_pagination_parameters_are_400s(
    world: World, clients: dict[str, APIClient], name: str, query: str
) -> None:
    make_invoices(world.acme, 2)
    make_entries(world.acme, 2, actor=world.owner)
    role, path = _lists(world)[name]

    response = answering_500s(clients[role]).get(f"{path}?{query}")

    assert_problem(response, 400)
    assert set(response.json()["errors"]) <= {"page_size", "cursor"}


@pytest.mark.parametrize(
    "name",
    [
        "plans",
        # The plans' cursor holds a code, which lands on the subscriptions' id column.
        "subscriptions",
        "invoices",
        "entries",
    ],
)
def test_a_cursor_from_another_list_is_a_400_not_a_500(
    world: World, clients: dict[str, APIClient], name: str
) -> None:
    make_invoices(world.acme, 3)
    make_entries(world.acme, 3, actor=world.owner)
    lists = _lists(world)
    for plan in ("api-pro", "support-standard"):
        clients["owner"].post(
            "/api/v1/me/subscriptions",
            {"plan": plan, "start_date": "2030-01-01", "end_date": "2030-02-01"},
            format="json",
        )
    cursors = {}
    for other in LISTS:
        role, path = lists[other]
        cursors[other] = clients[role].get(f"{path}?page_size=1").json()["next"].split("cursor=")[1]
    role, path = lists[name]

    for other, cursor in cursors.items():
        response = answering_500s(clients[role]).get(f"{path}?cursor={cursor}")
        assert response.status_code in (200, 400), (other, response.content)
        if response.status_code == 400:
            assert_problem(response, 400, fields={"cursor"})


@pytest.mark.parametrize(
    "query", ["page_size=100000000000000000000000000000000", "page_size=", "cursor=", "x=1"]
)
@pytest.mark.parametrize("name", LISTS)
def test_huge_or_empty_parameters_are_fine(
    world: World, clients: dict[str, APIClient], name: str, query: str
) -> None:
    role, path = _lists(world)[name]

    response = answering_500s(clients[role]).get(f"{path}?{query}")

    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert_problem(response, 400, fields={"page_size"})


# --- once server errors, now regressions ------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page_size", ["0000001", "00000000000000000000000000000005"])
def test_a_page_size_with_leading_zeros_is_not_a_500(
    world: World, clients: dict[str, APIClient], name: str, page_size: str
) -> None:
    role, path = _lists(world)[name]

    response = answering_500s(clients[role]).get(f"{path}?page_size={page_size}")

    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("page_size", ["%C2%B2", "1%E2%91%A0"])  # '²', '1①'
def test_a_page_size_of_unicode_digits_is_a_400(
    world: World, clients: dict[str, APIClient], name: str, page_size: str
) -> None:
    role, path = _lists(world)[name]

    response = answering_500s(clients[role]).get(f"{path}?page_size={page_size}")

    assert_problem(response, 400, fields={"page_size"})


# Well-formed cursors (right direction, right width, ints and strings) with values of the wrong
# kind for the list's ordering columns: (-issued_at, -id), (-created_at, -id), (-id).
FORGED_CURSORS = [
    ("invoices", '["n", ["garbage", 1]]'),
    ("invoices", '["n", ["2030-01-01T00:00:00+00:00", "abc"]]'),
    ("invoices", '["p", [7, 1]]'),
    ("invoices", '["n", ["9999-12-31T23:59:59-23:00", 1]]'),
    ("entries", '["n", ["yesterday", 1]]'),
    ("entries", '["n", ["2030-01-01T00:00:00+00:00", "1 OR 1=1"]]'),
    ("subscriptions", '["n", ["abc"]]'),
    ("subscriptions", '["p", [""]]'),
]


@pytest.mark.parametrize(("name", "raw"), FORGED_CURSORS)
def test_a_forged_cursor_is_a_400(
    world: World, clients: dict[str, APIClient], name: str, raw: str
) -> None:
    make_invoices(world.acme, 2)
    make_entries(world.acme, 2, actor=world.owner)
    role, path = _lists(world)[name]

    response = answering_500s(clients[role]).get(f"{path}?cursor={_cursor(raw)}")

    assert_problem(response, 400, fields={"cursor"})


def test_a_cursor_with_a_nul_character_is_not_a_500(
    world: World, clients: dict[str, APIClient]
) -> None:
    cursor = _cursor('["n", ["\\u0000"]]')

    response = answering_500s(clients["owner"]).get(f"/api/v1/plans?cursor={cursor}")

    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize("payload", [{"amount_cents": 1}, {"invoice_id": 2, "status": "paid"}])
def test_pay_rejects_fields_it_does_not_accept(
    world: World, clients: dict[str, APIClient], invoice: Invoice, payload: dict[str, object]
) -> None:
    before = snapshot()

    response = clients["admin"].post(
        org_url(world.acme.pk, f"/invoices/{invoice.pk}/pay"),
        payload,
        format="json",
        HTTP_IDEMPOTENCY_KEY="extra-fields",
    )

    assert_problem(response, 400, fields=set(payload))
    after = snapshot()
    del after["idempotency"], before["idempotency"]
    assert after == before
