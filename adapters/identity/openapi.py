"""How the API schema describes identity's token authentication."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # the extension registry's __init_subclass__ is untyped
    """Documents ``Authorization: Token <key>`` (``Bearer`` is accepted too)."""

    target_class = "adapters.identity.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>` with the key from `POST /api/v1/auth/login`; "
                "`Bearer <key>` works too. Keys expire and are revoked by logout."
            ),
        }
