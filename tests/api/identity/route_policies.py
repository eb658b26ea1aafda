"""Who may call identity's routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from tests.api.route_policies import PUBLIC, USER, Policy

ROUTES: dict[str, Policy] = {
    "auth-register": PUBLIC,
    "auth-login": PUBLIC,
    "auth-logout": {"POST": (USER, None)},
    "me": {"GET": (USER, None), "PATCH": (USER, {"bio": "Changed by the matrix"})},
}
