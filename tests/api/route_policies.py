"""The security policy of every API route, for tests/api/test_route_security_matrix.py.

Each route (by URL name) lists its methods, each with who may call it and a request body that
is *valid* when sent by such a caller — so that the matrix proves refusals come from access
control, not from input validation. "Who" is the API contract: the matrix checks that the view
declares exactly that (``@public``, the default IsAuthenticated, or
``OrganizationScopedView.required_roles``/``staff_methods``) and that it is enforced.

Adding a route? Add it here; the matrix test fails until you do, and says so. A path parameter
naming an object (``invoice_id``) also needs a factory in OBJECT_PARAMETERS, which puts one such
object the callers may reach, and one they may not, into the matrix's world.

``manage.py startcontext`` adds its routes, factory and parameter at the ``# startcontext:``
markers below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from adapters.identity.models import User
from kernel.tenancy import Role

PUBLIC = "public"
USER = "any authenticated user"  # acting on their own data
STAFF = "staff"  # on any organization, member or not

Body = dict[str, Any] | None
Who = Role | str

# route name → {HTTP method: (who, body)}; or PUBLIC for routes anyone may call.
ROUTES: dict[str, dict[str, tuple[Who, Body]] | str] = {
    "auth-register": PUBLIC,
    "auth-login": PUBLIC,
    "auth-logout": {"POST": (USER, None)},
    "me": {"GET": (USER, None), "PATCH": (USER, {"bio": "Changed by the matrix"})},
    "orgs": {"GET": (USER, None), "POST": (USER, {"name": "Matrix Inc"})},
    "org": {"GET": (Role.MEMBER, None), "PATCH": (Role.ADMIN, {"name": "Renamed"})},
    "org-members": {
        "GET": (Role.MEMBER, None),
        "POST": (Role.ADMIN, {"email": "{stranger_email}", "role": "member"}),
    },
    "org-member": {"PATCH": (Role.ADMIN, {"role": "admin"}), "DELETE": (Role.ADMIN, None)},
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
    # startcontext: routes (`manage.py startcontext` adds each new context's routes above)
    # drf-spectacular's schema and docs UI: public by SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"].
    "schema": PUBLIC,
    "docs": PUBLIC,
}

# --- the world's objects --------------------------------------------------------------------
# The matrix builds a fresh world for every test: users (WorldSetup.users) and two
# organizations, "own" (owner, admin and member by role name; staff is in neither) and
# "foreign" (outsider as its owner, foreign_member). Then WORLD_PREPARATIONS run, then one
# factory per path parameter. Factories import their context's models themselves, so that a
# new context adds lines here and nowhere else.


@attrs.frozen
class WorldSetup:
    org: int
    foreign_org: int
    users: Mapping[str, User]


# Creates an object the callers may reach ("own": in their organization, or their own) and one
# they may not ("foreign"); returns both ids, in that order.
ObjectFactory = Callable[[WorldSetup], tuple[int, int]]


def open_accounts(world: WorldSetup) -> None:
    """Both organizations get a funded prepaid account (the account routes name none)."""
    from adapters.billing.models import Account, LedgerEntry

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


def member_objects(world: WorldSetup) -> tuple[int, int]:
    return world.users["member"].pk, world.users["foreign_member"].pk


def invoice_objects(world: WorldSetup) -> tuple[int, int]:
    from adapters.billing.models import Invoice

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
    from adapters.billing.models import Plan, Subscription

    plan = Plan.objects.get(code="api-pro")
    own, foreign = (
        Subscription.objects.create(
            user=user, plan=plan, plan_type="api", start_date="2026-01-01", end_date="2027-01-01"
        ).pk
        for user in (world.users["member"], world.users["outsider"])
    )
    return own, foreign


# startcontext: object factories (`manage.py startcontext` adds each new context's above)


# Run before the factories: objects that routes need without naming them in their path.
WORLD_PREPARATIONS: list[Callable[[WorldSetup], None]] = [open_accounts]

# Path parameters other than org_id: the factory of the objects each one names.
OBJECT_PARAMETERS: dict[str, ObjectFactory] = {
    "user_id": member_objects,
    "invoice_id": invoice_objects,
    "subscription_id": subscription_objects,
    # startcontext: object parameters (`manage.py startcontext` adds each new context's above)
}
