"""The integration events identity records in its outbox (``kernel.events``).

Each carries the account's id and nothing else: never an email address, and never a token.
The handlers (``application/handlers.py``) read the account as it is when they run and create
the one-time token then, from its current state, so that no token is ever stored.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from kernel.events import Event


@attrs.frozen
class UserRegistered(Event):
    """An account was created; its owner gets an email to verify the address."""

    name: ClassVar[str] = "identity.user_registered"

    user_id: int


@attrs.frozen
class VerificationEmailRequested(Event):
    """The owner of an unverified account asked for a new verification email."""

    name: ClassVar[str] = "identity.verification_email_requested"

    user_id: int


@attrs.frozen
class PasswordResetRequested(Event):
    """Someone asked for a password reset for this (existing, active) account; its owner gets
    an email with a reset link."""

    name: ClassVar[str] = "identity.password_reset_requested"

    user_id: int
