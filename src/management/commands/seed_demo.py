"""Load the demo data that README.md lists. Idempotent: running it twice changes nothing.

Everything goes through the application services, so demo data obeys the same rules (password
policy, role rules, events) as data created through the API.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from adapters.identity.models import User
from contexts.billing.domain.errors import DuplicateSubscription
from contexts.organizations.domain.model import OrganizationId
from kernel.pagination import PageRequest
from kernel.tenancy import Role
from src import container as composition

DEMO_PASSWORD = "bastion-demo-password"  # noqa: S105  (documented demo credential, dev only)
STAFF_EMAIL = "admin@bastion.example"

# Each organization: its name, then (email, name, role) of its members; the owner comes first.
DEMO_ORGANIZATIONS = [
    (
        "Acme",
        [
            ("alice@bastion.example", "Alice Owner", Role.OWNER),
            ("bob@bastion.example", "Bob Admin", Role.ADMIN),
            ("carol@bastion.example", "Carol Member", Role.MEMBER),
        ],
    ),
    (
        "Globex",
        [
            ("dave@bastion.example", "Dave Owner", Role.OWNER),
            ("erin@bastion.example", "Erin Admin", Role.ADMIN),
            ("frank@bastion.example", "Frank Member", Role.MEMBER),
        ],
    ),
]


# Amount in cents and description of the invoices each demo organization receives.
DEMO_INVOICES = [(12_900, "Onboarding"), (4_900, "API Pro, this month"), (1_900, "Support")]
DEMO_SUBSCRIPTIONS = [
    ("alice@bastion.example", "api-pro"),
    ("alice@bastion.example", "support-standard"),
    ("dave@bastion.example", "api-starter"),
]


class Command(BaseCommand):
    help = (
        "Create the demo users, organizations, subscriptions, invoices and funded accounts "
        "(see README.md, 'Demo data')."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        users = self._users()
        for name, members in DEMO_ORGANIZATIONS:
            organization_id = self._organization(name, members, users)
            if organization_id is not None:
                self._billing(organization_id, owner_id=users[members[0][0]])
        self._subscriptions(users)
        self.stdout.write(
            f"Demo data ready. Password for every demo user: {DEMO_PASSWORD!r}; "
            f"{STAFF_EMAIL} is staff (also for /admin/)."
        )

    def _users(self) -> dict[str, int]:
        identity = composition.application.identity.service()
        people = [(STAFF_EMAIL, "Ada Admin")] + [
            (email, name) for _, members in DEMO_ORGANIZATIONS for email, name, _ in members
        ]
        ids: dict[str, int] = {}
        for email, name in people:
            existing = User.objects.filter(email=email).values_list("pk", flat=True).first()
            ids[email] = (
                existing or identity.register(email=email, password=DEMO_PASSWORD, name=name).id
            )
        User.objects.filter(email=STAFF_EMAIL).update(is_staff=True, is_superuser=True)
        return ids

    def _organization(
        self, name: str, members: list[tuple[str, str, Role]], users: dict[str, int]
    ) -> OrganizationId | None:
        """Create the organization with its members; None if it exists already."""
        organizations = composition.application.organizations.service()
        owner_id = users[members[0][0]]
        mine = organizations.list_mine(actor_id=owner_id, page=PageRequest(size=100)).items
        if any(organization.name == name for organization in mine):
            return None
        organization = organizations.create(actor_id=owner_id, name=name)
        for email, _, role in members[1:]:
            organizations.add_member(
                actor_id=owner_id,
                organization_id=OrganizationId(organization.id),
                email=email,
                role=role,
            )
        return OrganizationId(organization.id)

    def _billing(self, organization_id: int, *, owner_id: int) -> None:
        """A funded account with three invoices: one paid from it, two open."""
        billing = composition.application.billing
        currency = settings.BILLING_CURRENCY
        billing.accounts().add_credit(
            actor_id=owner_id, organization_id=organization_id, amount_cents=50_000
        )
        today = timezone.localdate()
        invoices = [
            billing.invoices().issue(
                organization_id=organization_id,
                amount_cents=amount,
                currency=currency,
                due_date=today + timedelta(days=30),
                description=description,
            )
            for amount, description in DEMO_INVOICES
        ]
        billing.invoices().pay(
            actor_id=owner_id, organization_id=organization_id, invoice_id=invoices[0].id
        )

    def _subscriptions(self, users: dict[str, int]) -> None:
        subscriptions = composition.application.billing.subscriptions()
        today = timezone.localdate()
        for email, plan in DEMO_SUBSCRIPTIONS:
            with suppress(DuplicateSubscription):  # seeded before
                subscriptions.subscribe(
                    user_id=users[email],
                    plan_code=plan,
                    start_date=today,
                    end_date=today + timedelta(days=365),
                )
