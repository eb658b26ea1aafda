"""Identity's repositories and unit of work: the only code that touches identity's ORM models."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from adapters.identity import models
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from contexts.identity.domain.errors import EmailAlreadyRegistered, UserNotFound
from contexts.identity.domain.model import Profile, User
from kernel.actors import UserId


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

    def get(self, user_id: UserId) -> User:
        row = self._rows().filter(pk=user_id).first()
        if row is None:
            raise UserNotFound()
        return _to_entity(row)

    def find_by_emails(self, emails: Iterable[str]) -> list[User]:
        return [_to_entity(row) for row in self._rows().filter(email__in=list(emails))]

    def list_by_ids(self, user_ids: Iterable[UserId]) -> list[User]:
        return [_to_entity(row) for row in self._rows().filter(pk__in=list(user_ids))]

    def add(self, *, email: str, password_hash: str, profile: Profile) -> User:
        try:
            # A savepoint, so that a duplicate leaves the surrounding transaction usable.
            with transaction.atomic():
                row = models.User.objects.create(email=email, password=password_hash)
                models.Profile.objects.create(user=row, name=profile.name, bio=profile.bio)
        except IntegrityError as error:
            raise EmailAlreadyRegistered() from error
        return User(id=UserId(row.pk), email=row.email, profile=profile)

    def save_profile(self, user: User) -> None:
        models.Profile.objects.filter(user_id=user.id).update(
            name=user.profile.name, bio=user.profile.bio, updated_at=timezone.now()
        )

    def set_password_hash(self, user_id: UserId, password_hash: str) -> None:
        models.User.objects.filter(pk=user_id).update(password=password_hash)

    def mark_email_verified(self, user_id: UserId) -> None:
        models.User.objects.filter(pk=user_id).update(email_verified=True)


class DjangoIdentityUnitOfWork(DjangoUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._users = DjangoUserRepository()

    @property
    def users(self) -> DjangoUserRepository:
        return self._users
