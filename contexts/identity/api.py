"""Identity's public face for other contexts: plain data in, plain data out.

Other contexts never see ``User`` or the repositories; the composition root hands them an
``IdentityApi`` through a port of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from contexts.identity.application.ports import IdentityUnitOfWork
from contexts.identity.domain.model import User, UserId, normalize_email


@attrs.frozen
class UserSummary:
    """What another context may know about a user."""

    id: int
    email: str
    name: str


class IdentityApi:
    def __init__(self, *, uow_factory: Callable[[], IdentityUnitOfWork]) -> None:
        self._uow_factory = uow_factory

    def find_user_by_email(self, email: str) -> UserSummary | None:
        users = self._uow_factory().users.find_by_emails([normalize_email(email)])
        return _summary(users[0]) if users else None

    def describe_users(self, user_ids: Iterable[int]) -> dict[int, UserSummary]:
        """Summaries of the given users, keyed by id, fetched in one go."""
        users = self._uow_factory().users.list_by_ids(UserId(user_id) for user_id in user_ids)
        return {user.id: _summary(user) for user in users}


def _summary(user: User) -> UserSummary:
    return UserSummary(id=user.id, email=user.email, name=user.profile.name)
