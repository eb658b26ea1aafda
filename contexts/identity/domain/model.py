"""Users and profiles.

A user is identified by an id and logs in with an email; the profile is the part of the user
that the user may change themselves.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import NewType

import attrs

from contexts.identity.domain.errors import InvalidProfile
from kernel.actors import UserId

# The server-side id of an issued token (its digest: never the secret the client holds).
TokenId = NewType("TokenId", str)

NAME_MAX_LENGTH = 150
BIO_MAX_LENGTH = 1000
EMAIL_MAX_LENGTH = 254

# Deliberately loose: the only proof that an address works is a mail that arrives; this catches
# typos such as a missing "@" or spaces.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(raw: str) -> str:
    """Return the canonical form under which an email is stored and looked up.

    The whole address is lower-cased, so "Ann@Example.com" and "ann@example.com" are one account.
    """
    return raw.strip().lower()


def is_plausible_email(email: str) -> bool:
    """Tell whether ``email`` has the shape of an address (it is not checked for delivery)."""
    return len(email) <= EMAIL_MAX_LENGTH and bool(_EMAIL_SHAPE.match(email))


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    if not value.strip():
        raise InvalidProfile(field="name", message="The name may not be blank.")
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidProfile(
            field="name", message=f"The name may have at most {NAME_MAX_LENGTH} characters."
        )


def _check_bio(_instance: object, _attribute: object, value: str) -> None:
    if len(value) > BIO_MAX_LENGTH:
        raise InvalidProfile(
            field="bio", message=f"The bio may have at most {BIO_MAX_LENGTH} characters."
        )


@attrs.frozen
class Profile:
    """What a user tells about themselves: a display name and a short bio."""

    name: str = attrs.field(validator=_check_name)
    bio: str = attrs.field(default="", validator=_check_bio)


@attrs.define(eq=False)
class User:
    """A registered person. Identity is the id: two objects with the same id are one user."""

    id: UserId
    email: str
    profile: Profile
    # Whether the owner proved to receive mail at ``email`` (a link from an email was used).
    email_verified: bool = False

    def update_profile(self, *, name: str | None = None, bio: str | None = None) -> None:
        """Change the given profile fields; fields left as None keep their value."""
        self.profile = attrs.evolve(
            self.profile,
            name=self.profile.name if name is None else name,
            bio=self.profile.bio if bio is None else bio,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class TokenPurpose(enum.Enum):
    """What a one-time account token (sent by email, never an API token) lets its holder do.
    A token made for one purpose is refused for the other."""

    PASSWORD_RESET = "password-reset"  # noqa: S105  (a name, not a password)
    EMAIL_VERIFICATION = "email-verification"


@attrs.frozen
class IssuedToken:
    """An API token as handed to the client once: the secret and when it stops working."""

    token: str
    expires_at: datetime
