"""Identity's repositories and unit of work: the only code that touches identity's ORM models."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from adapters.identity import models
from adapters.platform.persistence.scopes import scoped_by_row, scoped_by_user, unscoped
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from contexts.identity.domain.errors import EmailAlreadyRegistered, UserNotFound
from contexts.identity.domain.model import Profile, User
from kernel.actors import UserId

# The users this request has loaded already: authentication reads the caller's row (with the
# profile) in its token query, and the request works with that user rather than asking the
# database again, so that GET /me is one query. A request-scoped identity map: emptied when a
# request starts and when it finishes (IdentityConfig.ready connects the signals), replaced by
# each authentication, kept in step by this repository's writes.
_request_users: ContextVar[dict[UserId, User] | None] = ContextVar(
    "identity_request_users", default=None
)


def remember_for_request(user: User) -> None:
    """The request's authenticated user, as loaded by its authentication."""
    _request_users.set({user.id: user})


def forget_request_users(**_signal: Any) -> None:
    _request_users.set(None)


def _known(user_id: UserId) -> User | None:
    users = _request_users.get()
    known = users.get(user_id) if users else None
    # A copy: a caller changing its user (then failing, or rolling back) must not change the
    # request's.
    return copy.copy(known) if known is not None else None


def _forget(user_id: UserId) -> None:
    users = _request_users.get()
    if users:
        users.pop(user_id, None)


def _to_entity(row: models.User) -> User:
    profile = row.profile
    return User(
        id=UserId(row.pk),
        email=row.email,
        profile=Profile(name=profile.name, bio=profile.bio),
        email_verified=row.email_verified,
    )


class DjangoUserRepository:
    """Users with their profile, always fetched in the same query (no N+1)."""

    def _rows(self) -> QuerySet[models.User]:
        return models.User.objects.select_related("profile").filter(is_active=True)

    @scoped_by_user("user_id")
    def get(self, user_id: UserId) -> User:
        known = _known(user_id)
        if known is not None:
            return known
        row = self._rows().filter(pk=user_id).first()
        if row is None:
            raise UserNotFound()
        return _to_entity(row)

    @unscoped("a lookup by email address, answered the same whether or not it exists")
    def find_by_emails(self, emails: Iterable[str]) -> list[User]:
        return [_to_entity(row) for row in self._rows().filter(email__in=list(emails))]

    @unscoped("other contexts name the users they describe (members, payers)")
    def list_by_ids(self, user_ids: Iterable[UserId]) -> list[User]:
        return [_to_entity(row) for row in self._rows().filter(pk__in=list(user_ids))]

    @unscoped("registration creates a new account")
    def add(self, *, email: str, password_hash: str, profile: Profile) -> User:
        try:
            # A savepoint, so that a duplicate leaves the surrounding transaction usable.
            with transaction.atomic():
                row = models.User.objects.create(email=email, password=password_hash)
                models.Profile.objects.create(user=row, name=profile.name, bio=profile.bio)
        except IntegrityError as error:
            raise EmailAlreadyRegistered() from error
        return User(id=UserId(row.pk), email=row.email, profile=profile)

    @scoped_by_row("user")
    def save_profile(self, user: User) -> None:
        models.Profile.objects.filter(user_id=user.id).update(
            name=user.profile.name, bio=user.profile.bio, updated_at=timezone.now()
        )
        # Read again if asked: a rollback of the surrounding transaction must not leave the
        # request a profile the database does not have.
        _forget(user.id)

    @scoped_by_user("user_id")
    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        models.User.objects.filter(pk=user_id).update(password=password_hash)
        _forget(user_id)

    @scoped_by_user("user_id")
    def mark_email_verified(self, user_id: UserId) -> None:
        models.User.objects.filter(pk=user_id).update(email_verified=True)
        _forget(user_id)


class DjangoIdentityUnitOfWork(DjangoUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._users = DjangoUserRepository()

    @property
    def users(self) -> DjangoUserRepository:
        return self._users
