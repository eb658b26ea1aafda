"""Who may call the platform's own routes (tests/api/route_policies.py explains the format)."""

from __future__ import annotations

from tests.api.route_policies import PUBLIC, Policy

ROUTES: dict[str, Policy] = {
    # drf-spectacular's schema and docs UI: public by SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"].
    "schema": PUBLIC,
    "docs": PUBLIC,
}
