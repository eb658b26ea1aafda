"""Identity's emails (``AccountEmails``), through Django's email framework (EMAIL_BACKEND,
from EMAIL_URL): plain text, rendered from ``templates/identity/email/``.

Each email names the account it is about and holds one link, to the frontend
(``FRONTEND_URL``), that carries the one-time token as its ``token`` query parameter. The token
appears in the email only: it is never logged here.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.timesince import timeuntil

from contexts.identity.domain.model import User

VERIFY_EMAIL_PATH = "/verify-email"
RESET_PASSWORD_PATH = "/reset-password"  # noqa: S105  (a path, not a password)


def frontend_link(path: str, token: str) -> str:
    """``{FRONTEND_URL}{path}?token=...``."""
    return f"{str(settings.FRONTEND_URL).rstrip('/')}{path}?{urlencode({'token': token})}"


def _valid_for(seconds: int) -> str:
    now = timezone.now()
    return timeuntil(now + timedelta(seconds=seconds), now)


class DjangoAccountEmails:
    def send_verification(self, *, user: User, token: str) -> None:
        self._send(
            "verify_email",
            user=user,
            link=frontend_link(VERIFY_EMAIL_PATH, token),
            valid_for=int(settings.EMAIL_VERIFICATION_TIMEOUT),
        )

    def send_password_reset(self, *, user: User, token: str) -> None:
        self._send(
            "password_reset",
            user=user,
            link=frontend_link(RESET_PASSWORD_PATH, token),
            valid_for=int(settings.PASSWORD_RESET_TIMEOUT),
        )

    def _send(self, template: str, *, user: User, link: str, valid_for: int) -> None:
        context = {
            "site_name": settings.SITE_NAME,
            "name": user.profile.name,
            "email": user.email,
            "link": link,
            "valid_for": _valid_for(valid_for),
        }
        subject = render_to_string(f"identity/email/{template}_subject.txt", context)
        body = render_to_string(f"identity/email/{template}.txt", context)
        message = EmailMessage(
            subject=" ".join(subject.split()),  # one line: a header
            body=body.strip() + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        message.send(fail_silently=False)
