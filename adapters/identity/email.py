"""Identity's emails (``AccountEmails``): plain text, rendered from
``templates/identity/email/`` and sent by ``adapters.platform.email``.

Each email names the account it is about and holds one link, to the frontend
(``FRONTEND_URL``), that carries the one-time token as its ``token`` query parameter.
"""

from __future__ import annotations

from django.conf import settings

from adapters.platform.email import frontend_link, send_email, valid_for
from contexts.identity.domain.model import User

VERIFY_EMAIL_PATH = "/verify-email"
RESET_PASSWORD_PATH = "/reset-password"  # noqa: S105  (a path, not a password)


class DjangoAccountEmails:
    def send_verification(self, *, user: User, token: str) -> None:
        self._send(
            "verify_email",
            user=user,
            link=frontend_link(VERIFY_EMAIL_PATH, token),
            lifetime=int(settings.EMAIL_VERIFICATION_TIMEOUT),
        )

    def send_password_reset(self, *, user: User, token: str) -> None:
        self._send(
            "password_reset",
            user=user,
            link=frontend_link(RESET_PASSWORD_PATH, token),
            lifetime=int(settings.PASSWORD_RESET_TIMEOUT),
        )

    def _send(self, template: str, *, user: User, link: str, lifetime: int) -> None:
        send_email(
            template=f"identity/email/{template}",
            context={
                "name": user.profile.name,
                "email": user.email,
                "link": link,
                "valid_for": valid_for(lifetime),
            },
            to=user.email,
        )
