"""The invoice list at 100k+ invoices: no COUNT(*), and every page (first, deep, filtered) is
an index seek in the list's order — no table scan, no sort — so its cost does not depend on
the table's size. Checked with the database's own query plan rather than a stopwatch; the
timings live in bench/ (see docs/performance.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adapters.billing import models
from adapters.organizations.models import Membership, Organization
from tests.conftest import client_for
from tests.factories import make_user

INVOICES = 100_000
OTHER_ORGANIZATION_INVOICES = 20_000


def _bulk_invoices(account: models.Account, count: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    statuses = ("open", "paid", "void")
    batch = [
        models.Invoice(
            account=account,
            number=number,
            amount_cents=100 + number % 900,
            currency="EUR",
            status=statuses[number % 3],
            due_date=date(2025, 1, 1),
            issued_at=start + timedelta(seconds=number),
            paid_at=start + timedelta(seconds=number + 60) if number % 3 == 1 else None,
        )
        for number in range(1, count + 1)
    ]
    models.Invoice.objects.bulk_create(batch, batch_size=5000)


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE billing_invoice")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row) for row in cursor.fetchall())


def _index_bound(plan: str) -> bool:
    """Does the plan seek the index on the cursor's leading column (not only filter on it)?"""
    if connection.vendor == "postgresql":
        return any("Index Cond" in line and "issued_at" in line for line in plan.splitlines())
    return any("SEARCH" in line and "issued_at<" in line for line in plan.splitlines())


@pytest.mark.slow
@pytest.mark.django_db
def test_invoice_pages_are_index_seeks_at_100k_rows() -> None:
    owner = make_user()
    organization = Organization.objects.create(name="Big")
    Membership.objects.create(organization=organization, user=owner, role="owner")
    account = models.Account.objects.create(organization_id=organization.pk, currency="EUR")
    other = models.Account.objects.create(organization_id=organization.pk + 1, currency="EUR")
    _bulk_invoices(account, INVOICES)
    _bulk_invoices(other, OTHER_ORGANIZATION_INVOICES)
    client = client_for(owner)
    base = f"/api/v1/orgs/{organization.pk}/invoices"

    first = client.get(f"{base}?page_size=50").json()
    deep_cursor = first["next"]
    for _ in range(3):
        deep_cursor = client.get(deep_cursor).json()["next"]
    pages: dict[str, Any] = {
        "first": f"{base}?page_size=50",
        "deep": deep_cursor,
        "filtered": f"{base}?page_size=50&status=paid",
    }

    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, name
        assert len(response.json()["results"]) == 50, name
        sqls = [query["sql"] for query in captured.captured_queries]
        assert not any("COUNT(" in sql.upper() for sql in sqls), (name, sqls)
        listing = next(sql for sql in sqls if "billing_invoice" in sql)
        plan = _plan(listing)
        if name == "deep":
            # The cursor bounds the index range: no row before the page is read.
            assert _index_bound(plan), (name, plan)
        if connection.vendor == "postgresql":
            assert "Index" in plan, (name, plan)
            assert "Seq Scan" not in plan, (name, plan)
            assert "Sort" not in plan, (name, plan)
        else:
            assert "USING INDEX billing_inv_" in plan, (name, plan)
            assert "TEMP B-TREE" not in plan, (name, plan)

    numbers = [invoice["number"] for invoice in first["results"]]
    assert numbers == list(range(INVOICES, INVOICES - 50, -1))
