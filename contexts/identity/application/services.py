"""Identity's use cases: accounts (register, read and change one's own) and API tokens."""

from __future__ import annotations

from collections.abc import Iterable

from contexts.identity.application.ports import (
    Authenticator,
    IdentityUnitOfWork,
    PasswordPolicy,
    TokenIssuer,
)
from contexts.identity.domain.errors import InvalidEmail
from contexts.identity.domain.model import (
    IssuedToken,
    Profile,
    TokenId,
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
        """Create an account. The email must be free and the password pass the policy."""
        email = normalize_email(email)
        if not is_plausible_email(email):
            raise InvalidEmail()
        profile = Profile(name=name)
        self._passwords.validate(password, email=email, name=name)
        with self._uow as uow:
            user = uow.users.add(
                email=email, password_hash=self._passwords.hash(password), profile=profile
            )
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
