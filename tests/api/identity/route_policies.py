"""Who may call identity's routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from tests.api.route_policies import PUBLIC, USER, Policy
from tests.factories import DEFAULT_PASSWORD

ROUTES: dict[str, Policy] = {
    "auth-register": PUBLIC,
    "auth-login": PUBLIC,
    "auth-logout": {"POST": (USER, None)},
    "me": {"GET": (USER, None), "PATCH": (USER, {"bio": "Changed by the matrix"})},
    "auth-password-reset": PUBLIC,
    "auth-password-reset-confirm": PUBLIC,
    "auth-verify-email": PUBLIC,
    "me-password": {
        "POST": (
            USER,
            {"current_password": DEFAULT_PASSWORD, "new_password": "a new passphrase, long"},
        )
    },
    "me-verification-email": {"POST": (USER, None)},
}
