"""In-memory implementations of identity's ports, for fast unit tests of the services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import attrs

from contexts.identity.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidToken,
    LoginLockedOut,
    UserNotFound,
    WeakPassword,
)
from contexts.identity.domain.model import IssuedToken, Profile, TokenId, TokenPurpose, User
from kernel.actors import UserId
from tests.unit.fakes import FakeUnitOfWork


class FakeUserRepository:
    def __init__(self) -> None:
        self.users: dict[UserId, User] = {}
        self.password_hashes: dict[UserId, str] = {}

    def get(self, user_id: UserId) -> User:
        if user_id not in self.users:
            raise UserNotFound()
        # A copy, like a database read: changes count only once saved.
        user = self.users[user_id]
        return User(
            id=user.id, email=user.email, profile=user.profile, email_verified=user.email_verified
        )

    def find_by_emails(self, emails: Iterable[str]) -> list[User]:
        wanted = set(emails)
        return [user for user in self.users.values() if user.email in wanted]

    def list_by_ids(self, user_ids: Iterable[UserId]) -> list[User]:
        return [self.users[user_id] for user_id in user_ids if user_id in self.users]

    def add(self, *, email: str, password_hash: str, profile: Profile) -> User:
        if any(user.email == email for user in self.users.values()):
            raise EmailAlreadyRegistered()
        user = User(id=UserId(len(self.users) + 1), email=email, profile=profile)
        self.users[user.id] = user
        self.password_hashes[user.id] = password_hash
        return user

    def save_profile(self, user: User) -> None:
        stored = self.users[user.id]
        self.users[user.id] = User(
            id=user.id, email=user.email, profile=user.profile, email_verified=stored.email_verified
        )

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        self.password_hashes[user_id] = password_hash

    def mark_email_verified(self, user_id: UserId) -> None:
        self.users[user_id].email_verified = True


class FakeIdentityUnitOfWork(FakeUnitOfWork):
    def __init__(self, users: FakeUserRepository | None = None) -> None:
        super().__init__()
        self._users = users or FakeUserRepository()

    @property
    def users(self) -> FakeUserRepository:
        return self._users


class FakePasswordPolicy:
    """Accepts passwords of 8+ characters that do not contain the email's local part."""

    def validate(self, password: str, *, email: str, name: str) -> None:
        reasons = []
        if len(password) < 8:
            reasons.append("This password is too short.")
        if email.split("@", maxsplit=1)[0] in password:
            reasons.append("The password is too similar to the email.")
        if reasons:
            raise WeakPassword(reasons)

    def hash(self, password: str) -> str:
        return f"fake${password[::-1]}"


class FakeAuthenticator:
    """Checks against the repository's fake hashes and locks an email out after ``limit``."""

    def __init__(self, users: FakeUserRepository, limit: int = 3) -> None:
        self._users = users
        self._limit = limit
        self.failures: dict[str, int] = {}

    def authenticate(self, *, email: str, password: str) -> UserId:
        if self.failures.get(email, 0) >= self._limit:
            raise LoginLockedOut(retry_after=60)
        for user in self._users.find_by_emails([email]):
            if self._users.password_hashes[user.id] == f"fake${password[::-1]}":
                self.failures.pop(email, None)
                return user.id
        self.failures[email] = self.failures.get(email, 0) + 1
        raise InvalidCredentials()

    def verify(self, *, email: str, password: str) -> None:
        self.authenticate(email=email, password=password)


@attrs.define
class FakeTokenIssuer:
    """Tokens by id (here the id is the secret itself); each remembers its holder."""

    issued: dict[str, UserId] = attrs.field(factory=dict)

    def issue(self, user_id: UserId) -> IssuedToken:
        token = f"token-{len(self.issued) + 1}"
        self.issued[token] = user_id
        return IssuedToken(token=token, expires_at=datetime.now(UTC) + timedelta(hours=1))

    def revoke(self, user_id: UserId, token_id: TokenId) -> None:
        # Like the real issuer: only the holder's own token goes; another's is left alone.
        if self.issued.get(token_id) == user_id:
            del self.issued[token_id]

    def revoke_all(self, user_id: UserId, *, keep: TokenId | None = None) -> None:
        self.issued = {
            token: holder
            for token, holder in self.issued.items()
            if holder != user_id or token == keep
        }


class FakeAccountTokens:
    """Stateless like the real ones: a token names the account, the purpose and the state it
    was made from (here: the password hash and the verification flag), and is refused once
    that state changed, or once ``expire()`` was called."""

    def __init__(self, users: FakeUserRepository) -> None:
        self._users = users
        self.expired = False

    def _state(self, user_id: UserId) -> str:
        user = self._users.users[user_id]
        return f"{self._users.password_hashes[user_id]}|{user.email}|{user.email_verified}"

    def issue(self, *, user_id: UserId, purpose: TokenPurpose) -> str:
        return f"{user_id}:{purpose.value}:{self._state(user_id)}"

    def check(self, *, token: str, purpose: TokenPurpose) -> UserId:
        raw_id = token.partition(":")[0]
        if self.expired or not raw_id.isdigit() or UserId(int(raw_id)) not in self._users.users:
            raise InvalidToken()
        user_id = UserId(int(raw_id))
        if token != self.issue(user_id=user_id, purpose=purpose):
            raise InvalidToken()
        return user_id


@attrs.define
class FakeAccountEmails:
    """Remembers what it would send: (kind, email, token)."""

    sent: list[tuple[str, str, str]] = attrs.field(factory=list)

    def send_verification(self, *, user: User, token: str) -> None:
        self.sent.append(("verification", user.email, token))

    def send_password_reset(self, *, user: User, token: str) -> None:
        self.sent.append(("password-reset", user.email, token))
