"""Identity's use cases: accounts (register, read and change one's own), their lifecycle
(passwords, email verification) and API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from contexts.identity.application.ports import (
    AccountTokens,
    Authenticator,
    IdentityUnitOfWork,
    PasswordPolicy,
    TokenIssuer,
)
from contexts.identity.domain.errors import IncorrectPassword, InvalidCredentials, InvalidEmail
from contexts.identity.domain.events import (
    PasswordResetRequested,
    UserRegistered,
    VerificationEmailRequested,
)
from contexts.identity.domain.model import (
    IssuedToken,
    Profile,
    TokenId,
    TokenPurpose,
    User,
    is_plausible_email,
    normalize_email,
)
from kernel.actors import Actor, UserId


class UserService:
    """Accounts: register one, read and change one's own."""

    def __init__(self, *, uow: IdentityUnitOfWork, passwords: PasswordPolicy) -> None:
        self._uow = uow
        self._passwords = passwords

    def register(self, *, email: str, password: str, name: str) -> User:
        """Create an account. The email must be free and the password pass the policy. Its
        owner is sent an email to verify the address (``UserRegistered``, after the commit)."""
        email = normalize_email(email)
        if not is_plausible_email(email):
            raise InvalidEmail()
        profile = Profile(name=name)
        self._passwords.validate(password, email=email, name=name)
        with self._uow as uow:
            user = uow.users.add(
                email=email, password_hash=self._passwords.hash(password), profile=profile
            )
            uow.outbox.record(UserRegistered(user_id=user.id))
            uow.commit()
        return user

    # Reads need no unit of work: each is one query, atomic by itself.

    def get(self, *, actor: Actor) -> User:
        """The actor's own account."""
        return self._uow.users.get(actor.user_id)

    def update_profile(
        self, *, actor: Actor, name: str | None = None, bio: str | None = None
    ) -> User:
        """Change the actor's own name and/or bio. Nothing else of a user is editable here."""
        with self._uow as uow:
            user = uow.users.get(actor.user_id)
            user.update_profile(name=name, bio=bio)
            uow.users.save_profile(user)
            uow.commit()
        return user

    def find_by_email(self, *, email: str) -> User | None:
        """The account registered under ``email`` (in any case), if any. For other contexts,
        through ``IdentityApi``; never answered to a client."""
        users = self._uow.users.find_by_emails([normalize_email(email)])
        return users[0] if users else None

    def describe(self, *, user_ids: Iterable[UserId]) -> list[User]:
        """The accounts with these ids, in one round trip. For other contexts."""
        return self._uow.users.list_by_ids(user_ids)

    def mark_email_verified(self, *, user_id: UserId) -> None:
        """Another context saw the user follow a link it sent to their address (an
        invitation's): the address is proved. For other contexts, through ``IdentityApi``."""
        with self._uow as uow:
            uow.users.mark_email_verified(user_id)
            uow.commit()


class TokenService:
    """API tokens: issued for valid credentials, revoked by their holder."""

    def __init__(self, *, authenticator: Authenticator, tokens: TokenIssuer) -> None:
        self._authenticator = authenticator
        self._tokens = tokens

    def issue(self, *, email: str, password: str) -> IssuedToken:
        """Exchange valid credentials for a new API token (log in)."""
        user_id = self._authenticator.authenticate(email=normalize_email(email), password=password)
        return self._tokens.issue(user_id)

    def revoke(self, *, actor: Actor, token_id: TokenId) -> None:
        """Revoke one of the actor's tokens (log out); it stops working at once."""
        self._tokens.revoke(actor.user_id, token_id)


class AccountService:
    """An account's lifecycle: its password (changed, or reset through an emailed link) and
    the verification of its email address.

    The emails themselves are sent by the outbox's handlers after the commit
    (``application/handlers.py``): a use case only records that one is due, so that a request
    answers the same, in the same time, whether or not an email goes out.
    """

    def __init__(
        self,
        *,
        uow: IdentityUnitOfWork,
        passwords: PasswordPolicy,
        authenticator: Authenticator,
        tokens: TokenIssuer,
        account_tokens: AccountTokens,
    ) -> None:
        self._uow = uow
        self._passwords = passwords
        self._authenticator = authenticator
        self._tokens = tokens
        self._account_tokens = account_tokens

    def request_password_reset(self, *, email: str) -> None:
        """Send a reset link to the active account registered under ``email``, if there is
        one; an unknown address gets nothing, and the caller learns nothing either way."""
        found = self._uow.users.find_by_emails([normalize_email(email)])
        if not found:
            return
        with self._uow as uow:
            uow.outbox.record(PasswordResetRequested(user_id=found[0].id))
            uow.commit()

    def reset_password(self, *, token: str, password: str) -> None:
        """Set a new password with a token from a reset email. The token dies with the old
        password; every API token of the account is revoked. Following the link proved the
        address, so it counts as verified."""
        with self._uow as uow:
            user_id = self._account_tokens.check(token=token, purpose=TokenPurpose.PASSWORD_RESET)
            user = uow.users.get(user_id)
            self._passwords.validate(password, email=user.email, name=user.profile.name)
            uow.users.set_password_hash(user_id, self._passwords.hash(password))
            if not user.email_verified:
                uow.users.mark_email_verified(user_id)
            self._tokens.revoke_all(user_id)
            uow.commit()

    def change_password(
        self, *, actor: Actor, current_password: str, new_password: str, keep_token_id: TokenId
    ) -> None:
        """Change the actor's own password. A wrong current password is a failure towards the
        login lock-out; every API token of the actor but ``keep_token_id`` (the one in use) is
        revoked."""
        user = self._uow.users.get(actor.user_id)
        # Outside the unit of work: a failure must be recorded even though this use case fails.
        try:
            self._authenticator.verify(email=user.email, password=current_password)
        except InvalidCredentials:
            raise IncorrectPassword() from None
        self._passwords.validate(new_password, email=user.email, name=user.profile.name)
        with self._uow as uow:
            uow.users.set_password_hash(user.id, self._passwords.hash(new_password))
            self._tokens.revoke_all(user.id, keep=keep_token_id)
            uow.commit()

    def verify_email(self, *, token: str) -> None:
        """Mark the address verified with a token from a verification email (which then dies)."""
        with self._uow as uow:
            user_id = self._account_tokens.check(
                token=token, purpose=TokenPurpose.EMAIL_VERIFICATION
            )
            uow.users.mark_email_verified(user_id)
            uow.commit()

    def request_verification_email(self, *, actor: Actor) -> None:
        """Send the actor a new verification email, unless their address is verified."""
        user = self._uow.users.get(actor.user_id)
        if user.email_verified:
            return
        with self._uow as uow:
            uow.outbox.record(VerificationEmailRequested(user_id=user.id))
            uow.commit()
