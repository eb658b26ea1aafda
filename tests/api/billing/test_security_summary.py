"""What the security summary (docs/security.md, "The security summary") says of billing's
money-moving endpoint, against what the code does: the other tests of this folder probe the
same endpoint over HTTP (roles, other tenants' 404s, 409s, Idempotency-Key), and the summary
names them as its proofs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapters.platform.security_summary.derive import summarize
from adapters.platform.security_summary.widening import widenings

PAY = "POST /api/v1/orgs/{org_id}/invoices/{invoice_id}/pay"
MATRIX = "tests/api/test_route_security_matrix.py"


@pytest.fixture(scope="module")
def pay() -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in summarize()["endpoints"] if e["endpoint"] == PAY)
    return found


def test_paying_an_invoice_is_summarized_as_the_code_enforces_it(pay: dict[str, Any]) -> None:
    assert pay["authentication"] == "token"
    assert pay["audience"] == "admin"
    assert set(pay["denials"]) == {"401", "403", "404"}
    assert "members whose role is member" in pay["denials"]["403"]
    assert "another organization's `invoice_id`" in pay["denials"]["404"]
    assert pay["problems"]["409"] == [
        "currency-mismatch",
        "insufficient-funds",
        "invoice-not-payable",
    ]
    assert pay["problems"]["422"] == ["idempotency-key-reused"]
    assert pay["idempotency"]["header"] == "Idempotency-Key"
    assert pay["input"]["body"] == "none"
    assert {q["scope"] for q in pay["queries"]} == {"organization", "row"}
    assert "InvoiceService.pay → DjangoInvoiceRepository.lock" in {
        q["call"] for q in pay["queries"]
    }
    assert "id" in pay["output"]["200"]
    assert {t["scope"] for t in pay["throttles"]} >= {"user"}
    kinds = {proof["kind"] for proof in pay["proofs"]}
    assert {"route security matrix", "bad input", "race"} <= kinds
    assert f"{MATRIX}::test_anonymous_callers_get_401[POST invoice-pay]" in {
        proof["test"] for proof in pay["proofs"]
    }


def test_dropping_the_idempotency_key_would_be_a_widening(pay: dict[str, Any]) -> None:
    current = copy.deepcopy(pay) | {"idempotency": None}

    lines = widenings({"endpoints": [pay]}, {"endpoints": [current]})

    assert lines == [f"{PAY}: no longer requires an Idempotency-Key"]
