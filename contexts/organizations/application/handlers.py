"""Organizations' outbox handlers: the invitation email, sent after the commit (in a worker).

The handler reads the invitation as it is when it runs and makes the link's token then: the
outbox payload holds only the invitation's id, so no token is ever stored. An invitation that
was revoked, replaced or accepted meanwhile, or whose organization is gone, is sent nothing.
"""

from __future__ import annotations

from contexts.organizations.application.ports import (
    Clock,
    InvitationEmails,
    InvitationTokens,
    OrganizationsUnitOfWork,
    UserDirectory,
)
from contexts.organizations.domain.model import InvitationId
from kernel.events import Payload
from kernel.tenancy import OrganizationNotFound


class SendInvitationEmail:
    """On ``organizations.invitation_created``."""

    def __init__(
        self,
        *,
        uow: OrganizationsUnitOfWork,
        users: UserDirectory,
        tokens: InvitationTokens,
        emails: InvitationEmails,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._users = users
        self._tokens = tokens
        self._emails = emails
        self._clock = clock

    def __call__(self, payload: Payload) -> None:
        invitation = self._uow.invitations.get(InvitationId(int(payload["invitation_id"])))
        if invitation is None or not invitation.is_open(self._clock.now()):
            return
        try:
            organization = self._uow.organizations.get(invitation.organization_id)
        except OrganizationNotFound:
            return
        inviter = None
        if invitation.invited_by is not None:
            cards = self._users.describe_users(user_ids=[invitation.invited_by])
            inviter = cards.get(invitation.invited_by)
        self._emails.send_invitation(
            invitation=invitation,
            organization_name=organization.name,
            inviter_name=inviter.name if inviter is not None else None,
            token=self._tokens.issue(invitation.id),
        )
