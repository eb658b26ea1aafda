"""Billing's demo data (``manage.py seed_demo``): each new demo organization's account funded,
three invoices issued and the first paid; a few subscriptions. Made through the services."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from adapters.billing.container import BillingContainer
from contexts.billing.domain.errors import DuplicateSubscription
from kernel.actors import Actor
from kernel.tenancy import Role

# Amount in cents and description of the invoices each demo organization receives.
DEMO_INVOICES = [(12_900, "Onboarding"), (4_900, "API Pro, this month"), (1_900, "Support")]
DEMO_SUBSCRIPTIONS = [
    ("alice@example.com", "api-pro"),
    ("alice@example.com", "support-standard"),
    ("dave@example.com", "api-starter"),
]


def seed(*, container: BillingContainer, world: dict[str, Any]) -> None:
    staff = Actor(world["staff"], is_staff=True)
    today = timezone.localdate()
    for organization_id, owner_id in world.get("new_organizations", {}).values():
        owner = Actor(owner_id, roles={organization_id: Role.OWNER})
        container.account_service().add_credit(
            actor=owner, organization_id=organization_id, amount_cents=50_000
        )
        invoices = [
            container.invoice_service().issue(
                actor=staff,
                organization_id=organization_id,
                amount_cents=amount,
                currency=settings.BILLING_CURRENCY,
                due_date=today + timedelta(days=30),
                description=description,
            )
            for amount, description in DEMO_INVOICES
        ]
        container.invoice_service().pay(
            actor=owner, organization_id=organization_id, invoice_id=invoices[0].id
        )
    subscriptions = container.subscription_service()
    for email, plan in DEMO_SUBSCRIPTIONS:
        with suppress(DuplicateSubscription):  # seeded before
            subscriptions.subscribe(
                actor=Actor(world["users"][email]),
                plan_code=plan,
                start_date=today,
                end_date=today + timedelta(days=365),
            )
