"""Identity's tables: users (log in with their email) and their profiles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from contexts.identity.domain.model import (
    BIO_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    normalize_email,
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, *, name: str = "", **extra: Any
    ) -> User:
        """Create a user and its profile (every user has one). Used by createsuperuser and
        fixtures; the API registers users through identity's service."""
        email = normalize_email(email)
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.using(self._db).create(user=user, name=name or email.split("@")[0])
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login: email and password. What the person says about themselves is in ``Profile``."""

    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, unique=True)
    is_active = models.BooleanField(default=True)
    email_verified = models.BooleanField(
        default=False, help_text="The owner used a link sent to this address."
    )
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            # Emails are stored lower-cased; this also catches a row written around the manager.
            models.UniqueConstraint(Lower("email"), name="identity_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)


class Profile(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    bio = models.TextField(max_length=BIO_MAX_LENGTH, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""), name="identity_profile_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.user_id}>"
