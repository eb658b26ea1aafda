"""Identity's public face for other contexts: plain data in, plain data out.

Other contexts never see ``User`` or identity's services; the composition root hands them an
``IdentityApi`` through a port of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from contexts.identity.application.services import UserService
from contexts.identity.domain.model import User
from kernel.actors import UserId


@attrs.frozen
class UserSummary:
    """What another context may know about a user."""

    id: UserId
    email: str
    name: str


class IdentityApi:
    def __init__(self, *, users: Callable[[], UserService]) -> None:
        self._users = users

    def find_user_by_email(self, *, email: str) -> UserSummary | None:
        user = self._users().find_by_email(email=email)
        return _summary(user) if user else None

    def describe_users(self, *, user_ids: Iterable[UserId]) -> dict[UserId, UserSummary]:
        """Summaries of the given users, keyed by id, fetched in one go."""
        return {user.id: _summary(user) for user in self._users().describe(user_ids=user_ids)}

    def mark_email_verified(self, *, user_id: UserId) -> None:
        """The user proved their address by following a link sent to it (joins the caller's
        transaction)."""
        self._users().mark_email_verified(user_id=user_id)


def _summary(user: User) -> UserSummary:
    return UserSummary(id=user.id, email=user.email, name=user.profile.name)
