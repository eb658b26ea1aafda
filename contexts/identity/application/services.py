"""Identity's use cases: register, log in and out, read and change one's own profile."""

from __future__ import annotations

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
    User,
    UserId,
    is_plausible_email,
    normalize_email,
)


class IdentityService:
    """The use cases of the identity context. Takes ports, returns domain objects."""

    def __init__(
        self,
        *,
        uow: IdentityUnitOfWork,
        passwords: PasswordPolicy,
        authenticator: Authenticator,
        tokens: TokenIssuer,
    ) -> None:
        self._uow = uow
        self._passwords = passwords
        self._authenticator = authenticator
        self._tokens = tokens

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

    def login(self, *, email: str, password: str) -> IssuedToken:
        """Exchange valid credentials for a new API token."""
        user_id = self._authenticator.authenticate(email=normalize_email(email), password=password)
        return self._tokens.issue(user_id)

    def logout(self, *, token_id: str) -> None:
        """Revoke the token the client is using; it stops working at once."""
        self._tokens.revoke(token_id)

    def get_me(self, *, actor_id: UserId) -> User:
        # A read needs no unit of work: one query, atomic by itself.
        return self._uow.users.get(actor_id)

    def update_profile(
        self, *, actor_id: UserId, name: str | None = None, bio: str | None = None
    ) -> User:
        """Change the actor's own name and/or bio. Nothing else of a user is editable here."""
        with self._uow as uow:
            user = uow.users.get(actor_id)
            user.update_profile(name=name, bio=bio)
            uow.users.save_profile(user)
            uow.commit()
        return user
