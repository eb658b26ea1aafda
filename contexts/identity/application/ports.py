"""What identity's services need from the outside world, as ``typing.Protocol`` ports.

Adapters implement them with Django; unit tests implement them with in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from contexts.identity.domain.model import IssuedToken, Profile, TokenId, TokenPurpose, User
from kernel.actors import UserId
from kernel.unit_of_work import UnitOfWork


class UserRepository(Protocol):
    """Stores users. The only way services read or write them."""

    def get(self, user_id: UserId) -> User:
        """Return the user, or raise ``UserNotFound``."""
        ...

    def find_by_emails(self, emails: Iterable[str]) -> list[User]:
        """Return the users registered under any of ``emails`` (already normalized)."""
        ...

    def list_by_ids(self, user_ids: Iterable[UserId]) -> list[User]:
        """Return the users with these ids, in one round trip."""
        ...

    def add(self, *, email: str, password_hash: str, profile: Profile) -> User:
        """Store a new user; raise ``EmailAlreadyRegistered`` if the email is taken."""
        ...

    def save_profile(self, user: User) -> None:
        """Persist the user's profile."""
        ...

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        """Replace the user's password (already hashed)."""
        ...

    def mark_email_verified(self, user_id: UserId) -> None:
        """Record that the user proved to receive mail at their address."""
        ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    """Identity's repositories, inside one unit of work."""

    @property
    def users(self) -> UserRepository: ...


class PasswordPolicy(Protocol):
    """Judges and hashes passwords."""

    def validate(self, password: str, *, email: str, name: str) -> None:
        """Raise ``WeakPassword`` listing every rule the password breaks."""
        ...

    def hash(self, password: str) -> str: ...


class Authenticator(Protocol):
    """Checks credentials, counting failures towards a lock-out."""

    def authenticate(self, *, email: str, password: str) -> UserId:
        """Return the user's id, or raise ``InvalidCredentials`` or ``LoginLockedOut``."""
        ...

    def verify(self, *, email: str, password: str) -> None:
        """Check a password as a login would (a failure counts towards the lock-out), without
        logging in; raise ``InvalidCredentials`` or ``LoginLockedOut``."""
        ...


class TokenIssuer(Protocol):
    """Issues and revokes API tokens."""

    def issue(self, user_id: UserId) -> IssuedToken: ...

    def revoke(self, user_id: UserId, token_id: TokenId) -> None:
        """Revoke the user's token with this server-side id (never the secret itself); a
        token of someone else is left alone."""
        ...

    def revoke_all(self, user_id: UserId, *, keep: TokenId | None = None) -> None:
        """Revoke every token of the user, but ``keep`` (the one in use) when given."""
        ...


class AccountTokens(Protocol):
    """One-time tokens for the links in account emails: stateless, bound to the account's
    current state, so that using one (the password or the verification changes) kills it."""

    def issue(self, *, user_id: UserId, purpose: TokenPurpose) -> str:
        """A token for ``purpose``, made from the account as it is now."""
        ...

    def check(self, *, token: str, purpose: TokenPurpose) -> UserId:
        """The id of the account ``token`` was made for, if it is valid for ``purpose``, has
        not expired and the account has not changed since; else raise ``InvalidToken``. Runs
        inside a unit of work: the account stays locked until it ends, so two uses of one token
        cannot both succeed."""
        ...


class AccountEmails(Protocol):
    """Sends the emails about an account, each with its one link."""

    def send_verification(self, *, user: User, token: str) -> None: ...

    def send_password_reset(self, *, user: User, token: str) -> None: ...
