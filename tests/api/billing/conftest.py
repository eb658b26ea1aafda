"""Billing API fixtures: two organizations with accounts, every role (staff too), and helpers
that build invoices and ledger entries directly, snapshot billing's tables and check that every
balance still equals the sum of its ledger."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from adapters.billing.models import Account, Invoice, LedgerEntry, Subscription
from adapters.identity.models import User
from adapters.organizations.models import Membership, Organization
from adapters.platform.idempotency.models import IdempotencyRecord
from tests.api.helpers import TestResponse as Reply  # an alias pytest does not collect
from tests.conftest import client_for
from tests.factories import make_organization, make_user

ROLES = ["anonymous", "non_member", "member", "admin", "owner", "staff", "staff_member"]
MISSING_ID = 987654
DUE = "2030-01-31"


@attrs.frozen
class World:
    acme: Organization
    globex: Organization
    owner: User
    admin: User
    member: User
    outsider: User  # owner of globex, not a member of acme
    stranger: User  # a registered user in no organization
    staff: User  # is_staff, in no organization
    staff_member: User  # is_staff and a plain member of acme


def _organization(name: str, **roles: User) -> Organization:
    organization = make_organization(name, **roles)
    # Created with the ORM, so no OrganizationCreated event opened the account.
    Account.objects.create(organization_id=organization.pk, currency="EUR")
    return organization


@pytest.fixture
def world(db: None) -> World:
    owner, admin, member = (
        make_user(email=f"{r}@acme.example") for r in ("owner", "admin", "member")
    )
    outsider = make_user(email="owner@globex.example")
    staff = make_user(email="staff@example.com", is_staff=True)
    staff_member = make_user(email="staff-member@acme.example", is_staff=True)
    acme = _organization("Acme", owner=owner, admin=admin, member=member)
    Membership.objects.create(organization=acme, user=staff_member, role="member")
    globex = _organization("Globex", owner=outsider)
    stranger = make_user(email="new@example.com")
    return World(acme, globex, owner, admin, member, outsider, stranger, staff, staff_member)


@pytest.fixture
def clients(world: World) -> dict[str, APIClient]:
    return {
        "anonymous": APIClient(),
        "non_member": client_for(world.outsider),
        "member": client_for(world.member),
        "admin": client_for(world.admin),
        "owner": client_for(world.owner),
        "staff": client_for(world.staff),
        "staff_member": client_for(world.staff_member),
        "stranger": client_for(world.stranger),  # in no organization, for user-scoped routes
    }


# --- building billing data directly -----------------------------------------------------------


def fund(organization: Organization, amount_cents: int, *, actor: User) -> None:
    """Credit the account as the service would: balance and ledger entry together."""
    account = Account.objects.get(organization_id=organization.pk)
    account.balance_cents += amount_cents
    account.save(update_fields=["balance_cents"])
    LedgerEntry.objects.create(
        account=account,
        amount_cents=amount_cents,
        kind="credit",
        actor_id=actor.pk,
        created_at=timezone.now(),
    )


def make_invoices(
    organization: Organization,
    count: int,
    *,
    amount_cents: int = 1000,
    status: str = "open",
    currency: str = "EUR",
) -> list[Invoice]:
    """``count`` invoices, numbered on from the account's sequence, one second apart."""
    account = Account.objects.get(organization_id=organization.pk)
    start = timezone.now() - timedelta(days=1)
    paid_at = start if status == "paid" else None
    invoices = Invoice.objects.bulk_create(
        Invoice(
            account=account,
            number=account.invoice_sequence + index + 1,
            amount_cents=amount_cents,
            currency=currency,
            status=status,
            due_date=date(2030, 1, 31),
            description=f"Invoice {index}",
            issued_at=start + timedelta(seconds=index),
            paid_at=paid_at,
        )
        for index in range(count)
    )
    account.invoice_sequence += count
    account.save(update_fields=["invoice_sequence"])
    # bulk_create sets primary keys on SQLite and PostgreSQL alike.
    return invoices


def make_invoice(organization: Organization, **fields: Any) -> Invoice:
    return make_invoices(organization, 1, **fields)[0]


def make_entries(organization: Organization, count: int, *, actor: User) -> None:
    """``count`` credits of 1 cent each (balance and ledger kept in step)."""
    account = Account.objects.get(organization_id=organization.pk)
    start = timezone.now() - timedelta(days=1)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            account=account,
            amount_cents=1,
            kind="credit",
            actor_id=actor.pk,
            created_at=start + timedelta(seconds=index),
        )
        for index in range(count)
    )
    account.balance_cents += count
    account.save(update_fields=["balance_cents"])


# --- observing billing's state ----------------------------------------------------------------


def balance(organization: Organization) -> int:
    return Account.objects.get(organization_id=organization.pk).balance_cents


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Everything a billing write could change."""
    return {
        "accounts": list(
            Account.objects.order_by("pk").values_list(
                "organization_id", "balance_cents", "currency", "invoice_sequence"
            )
        ),
        "entries": list(
            LedgerEntry.objects.order_by("pk").values_list(
                "pk", "account_id", "amount_cents", "kind", "invoice_id"
            )
        ),
        "invoices": list(
            Invoice.objects.order_by("pk").values_list(
                "pk", "account_id", "number", "amount_cents", "status", "paid_at"
            )
        ),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list("pk", "user_id", "plan_id", "status")
        ),
        "idempotency": list(
            IdempotencyRecord.objects.order_by("pk").values_list("pk", "user_id", "key")
        ),
    }


def assert_ledger_consistent() -> None:
    """Every account's balance equals the sum of its ledger entries, and is not negative."""
    for account in Account.objects.annotate(total=Sum("entries__amount_cents")):
        total: int = getattr(account, "total", None) or 0
        assert account.balance_cents == total, (account.organization_id, account.balance_cents)
        assert account.balance_cents >= 0


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- requests -----------------------------------------------------------------------------------


def org_url(organization_id: int, suffix: str = "") -> str:
    return f"/api/v1/orgs/{organization_id}{suffix}"


def pay(client: APIClient, organization_id: int, invoice_id: int, key: str) -> Reply:
    url = org_url(organization_id, f"/invoices/{invoice_id}/pay")
    response: Reply = client.post(url, HTTP_IDEMPOTENCY_KEY=key)
    return response


def credit(client: APIClient, organization_id: int, amount_cents: Any, key: str) -> Reply:
    url = org_url(organization_id, "/account/credits")
    response: Reply = client.post(
        url, {"amount_cents": amount_cents}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    return response


def issue(client: APIClient, organization_id: int, **fields: Any) -> Reply:
    payload = {"amount_cents": 1500, "currency": "EUR", "due_date": DUE, **fields}
    response: Reply = client.post(org_url(organization_id, "/invoices"), payload, format="json")
    return response


def replayed(response: Reply) -> bool:
    """Whether the response carries ``Idempotent-Replayed: true`` (and not some other value)."""
    try:
        value = response["Idempotent-Replayed"]
    except KeyError:
        return False
    assert value == "true", value
    return True


def answering_500s(client: APIClient) -> APIClient:
    """Let a server error come back as the 500 response a real client would see, instead of the
    test client re-raising the exception."""
    client.raise_request_exception = False
    return client
