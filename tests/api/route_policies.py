"""The security policy of every API route, for tests/api/test_route_security_matrix.py.

Each route (by URL name) lists its methods, each with who may call it and a request body that
is *valid* when sent by such a caller — so that the matrix proves refusals come from access
control, not from input validation. "Who" is the API contract: the matrix checks that the view
declares exactly that (``@public``, the default IsAuthenticated, or
``OrganizationScopedView.required_roles``/``staff_methods``) and that it is enforced.

Adding a route? Add it here; the matrix test fails until you do, and says so.
"""

from __future__ import annotations

from typing import Any

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
    # drf-spectacular's schema and docs UI: public by SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"].
    "schema": PUBLIC,
    "docs": PUBLIC,
}

# Path parameters other than org_id: which object of the world fixture each one names.
# "own" belongs to the caller's organization (or to the caller); "foreign" to another one.
OBJECT_PARAMETERS = {
    "user_id": ("own_member_id", "foreign_member_id"),
    "invoice_id": ("own_invoice_id", "foreign_invoice_id"),
    "subscription_id": ("own_subscription_id", "foreign_subscription_id"),
}
