"""Organizations' demo data (``manage.py seed_demo``): Acme and Globex, each with an owner, an
admin and a member, made through the services: the owner invites, the invitee accepts."""

from __future__ import annotations

from typing import Any

from adapters.organizations.container import OrganizationsContainer
from kernel.actors import Actor
from kernel.pagination import PageRequest
from kernel.tenancy import Role

# Each organization: its name, then (email, role) of its members; the owner comes first.
DEMO_ORGANIZATIONS = [
    (
        "Acme",
        [
            ("alice@example.com", Role.OWNER),
            ("bob@example.com", Role.ADMIN),
            ("carol@example.com", Role.MEMBER),
        ],
    ),
    (
        "Globex",
        [
            ("dave@example.com", Role.OWNER),
            ("erin@example.com", Role.ADMIN),
            ("frank@example.com", Role.MEMBER),
        ],
    ),
]


def seed(*, container: OrganizationsContainer, world: dict[str, Any]) -> None:
    """Create the organizations that do not exist yet; ``world["new_organizations"]``: name →
    (organization id, owner id) of those created now."""
    users = world["users"]
    organizations = container.organization_service()
    invitations = container.invitation_service()
    tokens = container.invitation_tokens()
    created = {}
    for name, members in DEMO_ORGANIZATIONS:
        owner = Actor(users[members[0][0]])
        mine = organizations.list(actor=owner, page=PageRequest(size=100)).items
        if any(organization.name == name for organization in mine):
            continue
        organization = organizations.create(actor=owner, name=name)
        for email, role in members[1:]:
            invitation = invitations.invite(
                actor=owner.with_role(organization.id, Role.OWNER),
                organization_id=organization.id,
                email=email,
                role=role,
            )
            invitations.accept(actor=Actor(users[email]), token=tokens.issue(invitation.id))
        created[name] = (organization.id, owner.user_id)
    world["new_organizations"] = created
