"""Identity's outbox handlers: the account emails, sent after the commit (in a worker).

Each reads the account as it is when it runs and creates the link's token then: the outbox
payload holds only the account's id, so no token is ever stored. An account that is gone (or
deactivated) meanwhile, or whose address got verified, is sent nothing.
"""

from __future__ import annotations

from contexts.identity.application.ports import AccountEmails, AccountTokens, UserRepository
from contexts.identity.domain.errors import UserNotFound
from contexts.identity.domain.model import TokenPurpose, User
from kernel.actors import UserId
from kernel.events import Payload


def _account(users: UserRepository, payload: Payload) -> User | None:
    try:
        return users.get(UserId(int(payload["user_id"])))
    except UserNotFound:
        return None


class SendVerificationEmail:
    """On ``identity.user_registered`` and ``identity.verification_email_requested``."""

    def __init__(
        self, *, users: UserRepository, tokens: AccountTokens, emails: AccountEmails
    ) -> None:
        self._users = users
        self._tokens = tokens
        self._emails = emails

    def __call__(self, payload: Payload) -> None:
        user = _account(self._users, payload)
        if user is None or user.email_verified:
            return
        token = self._tokens.issue(user_id=user.id, purpose=TokenPurpose.EMAIL_VERIFICATION)
        self._emails.send_verification(user=user, token=token)


class SendPasswordResetEmail:
    """On ``identity.password_reset_requested``."""

    def __init__(
        self, *, users: UserRepository, tokens: AccountTokens, emails: AccountEmails
    ) -> None:
        self._users = users
        self._tokens = tokens
        self._emails = emails

    def __call__(self, payload: Payload) -> None:
        user = _account(self._users, payload)
        if user is None:
            return
        token = self._tokens.issue(user_id=user.id, purpose=TokenPurpose.PASSWORD_RESET)
        self._emails.send_password_reset(user=user, token=token)
