"""Two organizations, each with an owner, an admin and a member, and clients for every role."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.organizations.models import Invitation, Organization
from tests.conftest import client_for
from tests.factories import make_organization, make_user


@attrs.frozen
class Tenancy:
    acme: Organization
    globex: Organization
    owner: User
    admin: User
    member: User
    outsider: User  # owner of globex, not a member of acme
    stranger: User  # a registered user in no organization
    invitation: Invitation  # pending, to acme, for an address with no account


@pytest.fixture
def tenancy(db: None) -> Tenancy:
    owner, admin, member = (
        make_user(email=f"{r}@acme.example") for r in ("owner", "admin", "member")
    )
    outsider = make_user(email="owner@globex.example")
    globex_admin = make_user(email="admin@globex.example")
    acme = make_organization("Acme", owner=owner, admin=admin, member=member)
    globex = make_organization("Globex", owner=outsider, admin=globex_admin)
    invitation = Invitation.objects.create(
        organization=acme,
        email="invited@example.com",
        role="member",
        expires_at=timezone.now() + timedelta(days=1),
    )
    stranger = make_user(email="new@example.com")
    return Tenancy(acme, globex, owner, admin, member, outsider, stranger, invitation)


@pytest.fixture
def clients(tenancy: Tenancy) -> dict[str, APIClient]:
    return {
        "anonymous": APIClient(),
        "non_member": client_for(tenancy.outsider),
        "member": client_for(tenancy.member),
        "admin": client_for(tenancy.admin),
        "owner": client_for(tenancy.owner),
    }
