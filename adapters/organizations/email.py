"""Organizations' emails (``InvitationEmails``): plain text, rendered from
``templates/organizations/email/`` and sent by ``adapters.platform.email``."""

from __future__ import annotations

from datetime import UTC

from adapters.platform.email import frontend_link, send_email
from contexts.organizations.domain.model import Invitation

ACCEPT_INVITATION_PATH = "/accept-invitation"


class DjangoInvitationEmails:
    def send_invitation(
        self,
        *,
        invitation: Invitation,
        organization_name: str,
        inviter_name: str | None,
        token: str,
    ) -> None:
        send_email(
            template="organizations/email/invitation",
            context={
                "organization": organization_name,
                "inviter": inviter_name,
                "email": invitation.email,
                "role": invitation.role.value,
                "link": frontend_link(ACCEPT_INVITATION_PATH, token),
                "expires_at": invitation.expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            },
            to=invitation.email,
        )
