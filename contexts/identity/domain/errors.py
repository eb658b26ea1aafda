"""Errors that identity's rules raise. Each says what went wrong in words a client may see."""

from __future__ import annotations

from kernel.errors import DomainError, InvalidField


class IdentityError(DomainError):
    """Base of every identity error, so adapters can map the whole family at once."""


class InvalidProfile(InvalidField, IdentityError):
    """A profile field breaks a rule (blank name, too long a bio, ...)."""


class InvalidEmail(IdentityError):
    message = "Enter a valid email address."


class WeakPassword(IdentityError):
    """The password fails the configured password policy; ``reasons`` lists every failure."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class EmailAlreadyRegistered(IdentityError):
    message = "An account with this email already exists."


class InvalidCredentials(IdentityError):
    # One message whether the email is unknown or the password wrong: no account enumeration.
    message = "The email or password is incorrect."


class LoginLockedOut(IdentityError):
    """Too many failed logins for this email; ``retry_after`` is in seconds when known."""

    message = "Too many failed login attempts. Try again later."

    def __init__(self, retry_after: int | None = None) -> None:
        super().__init__()
        self.retry_after = retry_after


class UserNotFound(IdentityError):
    message = "No such user."


class InvalidToken(IdentityError):
    # One message whether the token is malformed, forged, used or expired: a client learns
    # nothing about which, nor about the account it names.
    message = "The link is invalid or has expired. Ask for a new one."


class IncorrectPassword(IdentityError):
    """The current password given to change it is wrong (a failure towards the lock-out)."""

    message = "The current password is incorrect."
