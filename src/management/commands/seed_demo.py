"""Load the demo data that README.md lists. Idempotent: running it twice changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from adapters.identity.models import User
from src import container as composition

DEMO_PASSWORD = "bastion-demo-password"  # noqa: S105  (documented demo credential, dev only)

DEMO_USERS = [
    # Each entry: email, name, whether the user is staff.
    ("admin@bastion.example", "Ada Admin", True),
    ("alice@bastion.example", "Alice Owner", False),
    ("bob@bastion.example", "Bob Admin", False),
    ("carol@bastion.example", "Carol Member", False),
    ("dave@bastion.example", "Dave Owner", False),
    ("erin@bastion.example", "Erin Admin", False),
    ("frank@bastion.example", "Frank Member", False),
]


class Command(BaseCommand):
    help = "Create the demo users (and, as contexts grow, their organizations and billing data)."

    def handle(self, *args: Any, **options: Any) -> None:
        identity = composition.application.identity.service()
        created = 0
        for email, name, staff in DEMO_USERS:
            if User.objects.filter(email=email).exists():
                continue
            user = identity.register(email=email, password=DEMO_PASSWORD, name=name)
            if staff:
                User.objects.filter(pk=user.id).update(is_staff=True, is_superuser=True)
            created += 1
        self.stdout.write(
            f"Demo data ready ({created} users created). Log in with any demo email and the "
            f"password {DEMO_PASSWORD!r}; {DEMO_USERS[0][0]} is staff (also for /admin/)."
        )
