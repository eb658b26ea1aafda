"""Invitation tokens (``InvitationTokens``): the invitation's id, signed with the project's
SECRET_KEY by ``django.core.signing`` (HMAC; rotation through SECRET_KEY_FALLBACKS).

Nothing is stored: the signature proves the token came from an invitation email, and the
invitation's row says whether it still counts (pending, not expired, the caller's address).
"""

from __future__ import annotations

from django.core import signing

from contexts.organizations.domain.model import InvitationId

# Signatures of one purpose are worthless for another.
SALT = "organizations.invitation"


class SignedInvitationTokens:
    def issue(self, invitation_id: InvitationId) -> str:
        return signing.dumps(int(invitation_id), salt=SALT, compress=False)

    def read(self, token: str) -> InvitationId | None:
        try:
            value = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            return None
        return InvitationId(value) if isinstance(value, int) and value > 0 else None
