"""Identity's demo data (``manage.py seed_demo``; README.md, "Demo data"): the demo people,
registered through the service like any user, and one staff member for the admin site."""

from __future__ import annotations

from typing import Any

from adapters.identity.container import IdentityContainer
from adapters.identity.models import User

DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105  (documented demo credential, dev only)
STAFF_EMAIL = "admin@example.com"
DEMO_PEOPLE = [
    (STAFF_EMAIL, "Ada Admin"),
    ("alice@example.com", "Alice Owner"),
    ("bob@example.com", "Bob Admin"),
    ("carol@example.com", "Carol Member"),
    ("dave@example.com", "Dave Owner"),
    ("erin@example.com", "Erin Admin"),
    ("frank@example.com", "Frank Member"),
]


def seed(*, container: IdentityContainer, world: dict[str, Any]) -> None:
    """Register the demo people (once); ``world["users"]``: email → user id."""
    users = container.user_service()
    ids = {}
    for email, name in DEMO_PEOPLE:
        existing = users.find_by_email(email=email)
        user = existing or users.register(email=email, password=DEMO_PASSWORD, name=name)
        ids[email] = user.id
    # What createsuperuser would do: there is no use case for it in the API.
    User.objects.filter(email=STAFF_EMAIL).update(is_staff=True, is_superuser=True)
    world["users"] = ids
    world["staff"] = ids[STAFF_EMAIL]
    world.setdefault("summary", []).append(
        f"Password for every demo user: {DEMO_PASSWORD!r}; {STAFF_EMAIL} is staff "
        "(also for /admin/)."
    )
