"""Who may call billing's routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from adapters.billing.models import Account, Invoice, LedgerEntry, Plan, Subscription
from kernel.tenancy import Role
from tests.api.route_policies import (
    STAFF,
    USER,
    CastPart,
    CastStage,
    ObjectFactory,
    Policy,
    Preparation,
    WorldSetup,
)

ROUTES: dict[str, Policy] = {
    "plans": {"GET": (USER, None)},
    "subscriptions": {
        "GET": (USER, None),
        "POST": (
            USER,
            {"plan": "support-premium", "start_date": "2026-01-01", "end_date": "2027-01-01"},
        ),
    },
    "subscription": {"DELETE": (USER, None)},
    "invoices": {
        "GET": (Role.ADMIN, None),
        "POST": (STAFF, {"amount_cents": 1200, "currency": "EUR", "due_date": "2026-12-31"}),
    },
    "invoice": {"GET": (Role.ADMIN, None)},
    "invoice-pay": {"POST": (Role.ADMIN, None)},
    "account": {"GET": (Role.ADMIN, None)},
    "account-entries": {"GET": (Role.ADMIN, None)},
    "account-credits": {"POST": (Role.OWNER, {"amount_cents": 500})},
}


def open_accounts(world: WorldSetup) -> None:
    """Both organizations get a funded prepaid account (the account routes name none)."""
    for organization_id in (world.org, world.foreign_org):
        account = Account.objects.create(
            organization_id=organization_id,
            currency="EUR",
            balance_cents=10_000,
            invoice_sequence=1,
        )
        LedgerEntry.objects.create(
            account=account,
            amount_cents=10_000,
            kind="credit",
            actor_id=1,
            created_at="2026-01-01T00:00Z",
        )


def invoice_objects(world: WorldSetup) -> tuple[int, int]:
    own, foreign = (
        Invoice.objects.create(
            account_id=organization_id,
            number=1,
            amount_cents=100,
            currency="EUR",
            due_date="2026-12-31",
            issued_at="2026-01-01T00:00Z",
        ).pk
        for organization_id in (world.org, world.foreign_org)
    )
    return own, foreign


def subscription_objects(world: WorldSetup) -> tuple[int, int]:
    plan = Plan.objects.get(code="api-pro")
    own, foreign = (
        Subscription.objects.create(
            user=user, plan=plan, plan_type="api", start_date="2026-01-01", end_date="2027-01-01"
        ).pk
        for user in (world.users["member"], world.users["outsider"])
    )
    return own, foreign


WORLD_PREPARATIONS: list[Preparation] = [open_accounts]
OBJECT_PARAMETERS: dict[str, ObjectFactory] = {
    "invoice_id": invoice_objects,
    "subscription_id": subscription_objects,
}


def schemathesis_cast(stage: CastStage) -> CastPart:
    """Alice's account (with credit), an open invoice in each organization, a subscription
    each; plans on offer as body values."""
    acme, globex = stage.organizations["alice"], stage.organizations["bob"]
    stage.post(
        "alice",
        f"/api/v1/orgs/{acme}/account/credits",
        {"amount_cents": 100_000},
        headers={"Idempotency-Key": "cast-credit"},
    )
    currency = stage.get("alice", f"/api/v1/orgs/{acme}/account")["currency"]
    invoice = {"amount_cents": 1_000, "currency": currency, "due_date": "2030-01-31"}
    acme_invoice = stage.post("staff", f"/api/v1/orgs/{acme}/invoices", invoice)
    globex_invoice = stage.post("staff", f"/api/v1/orgs/{globex}/invoices", invoice)
    codes = [plan["code"] for plan in stage.get("alice", "/api/v1/plans")["results"]]
    subscription = {"plan": codes[0], "start_date": "2030-01-01", "end_date": "2031-01-01"}
    alices = stage.post("alice", "/api/v1/me/subscriptions", subscription)
    bobs = stage.post("bob", "/api/v1/me/subscriptions", subscription)
    return CastPart(
        known={
            "invoice_id": [acme_invoice, acme_invoice, globex_invoice],
            "subscription_id": [alices, alices, bobs],
        },
        peers={"invoice_id": {globex_invoice}, "subscription_id": {bobs}},
        body_values=[{"plan": codes[0]}, {"plan": codes[-1]}],
    )


SCHEMATHESIS_CAST = schemathesis_cast
