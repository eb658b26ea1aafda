"""Identity's security adapters: Django's password policy and hashers, django-axes lock-out,
knox tokens, and the one-time tokens of account emails."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from knox.models import AuthToken
from knox.settings import knox_settings

from adapters.identity import models
from adapters.identity.problems import lockout_seconds
from adapters.platform.http.request_context import current_request
from contexts.identity.domain.errors import (
    InvalidCredentials,
    InvalidToken,
    LoginLockedOut,
    WeakPassword,
)
from contexts.identity.domain.model import IssuedToken, TokenId, TokenPurpose
from kernel.actors import UserId


def _unsaved_user(email: str, name: str) -> models.User:
    """The would-be user, for UserAttributeSimilarityValidator, which compares the password with
    its ``email`` and ``name`` attributes (see AUTH_PASSWORD_VALIDATORS)."""
    candidate = models.User(email=email)
    setattr(candidate, "name", name)  # noqa: B010  (not a model field: the profile's name)
    return candidate


class DjangoPasswordPolicy:
    """AUTH_PASSWORD_VALIDATORS and PASSWORD_HASHERS from settings."""

    def validate(self, password: str, *, email: str, name: str) -> None:
        try:
            validate_password(password, user=_unsaved_user(email, name))
        except ValidationError as error:
            raise WeakPassword(list(error.messages)) from None

    def hash(self, password: str) -> str:
        return make_password(password)


class AxesAuthenticator:
    """Django's authentication backends with django-axes in front.

    Axes counts failures per email (LOGIN_FAILURE_LIMIT) and refuses a locked-out email before
    its password is even checked; it needs the current ``HttpRequest`` to record the attempt.
    """

    def authenticate(self, *, email: str, password: str) -> UserId:
        request = current_request()
        user = authenticate(request, email=email, password=password)
        if getattr(request, "axes_locked_out", False):
            raise LoginLockedOut(retry_after=lockout_seconds())
        if user is None:
            raise InvalidCredentials()
        # What django.contrib.auth.login() would announce, minus the session: axes clears the
        # email's failures (AXES_RESET_ON_SUCCESS) and Django records last_login.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return UserId(user.pk)

    def verify(self, *, email: str, password: str) -> None:
        request = current_request()
        user = authenticate(request, email=email, password=password)
        if getattr(request, "axes_locked_out", False):
            raise LoginLockedOut(retry_after=lockout_seconds())
        if user is None:
            raise InvalidCredentials()


class KnoxTokenIssuer:
    """Knox tokens: only a digest is stored; each expires after REST_KNOX["TOKEN_TTL"]."""

    def issue(self, user_id: UserId) -> IssuedToken:
        tokens = AuthToken.objects.filter(user_id=user_id)
        tokens.filter(expiry__lt=timezone.now()).delete()
        token_row, secret = AuthToken.objects.create(user=models.User(pk=user_id))
        # Keep at most AUTH_TOKEN_LIMIT_PER_USER live tokens: the oldest make way.
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit:
            stale = tokens.order_by("-created").values_list("digest", flat=True)[limit:]
            AuthToken.objects.filter(digest__in=list(stale)).delete()
        return IssuedToken(token=secret, expires_at=token_row.expiry)

    def revoke(self, user_id: UserId, token_id: TokenId) -> None:
        AuthToken.objects.filter(user_id=user_id, digest=token_id).delete()

    def revoke_all(self, user_id: UserId, *, keep: TokenId | None = None) -> None:
        tokens = AuthToken.objects.filter(user_id=user_id)
        if keep is not None:
            tokens = tokens.exclude(digest=keep)
        tokens.delete()


class _StateBoundTokens(PasswordResetTokenGenerator):
    """Django's password-reset tokens: ``<timestamp>-<HMAC>`` of the account's state, with
    SECRET_KEY (and SECRET_KEY_FALLBACKS) under a salt of their own per purpose, so that a
    token of one purpose is worthless for the other. Nothing is stored: a token dies when the
    state it was made from changes, or after ``timeout()`` seconds."""

    def timeout(self) -> int:
        return int(settings.PASSWORD_RESET_TIMEOUT)

    def check_token(self, user: AbstractBaseUser | None, token: str | None) -> bool:
        # Django's check, with this purpose's timeout instead of PASSWORD_RESET_TIMEOUT alone.
        if user is None or not token:
            return False
        try:
            timestamp = base36_to_int(token.split("-", maxsplit=1)[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > self.timeout():
            return False
        return any(
            constant_time_compare(
                self._make_token_with_timestamp(cast(Any, user), timestamp, secret), token
            )
            for secret in [self.secret, *self.secret_fallbacks]
        )


class _PasswordResetTokens(_StateBoundTokens):
    """Bound to the id, password hash, last login and email (Django's own choice): dead
    once the password changes. Expire after PASSWORD_RESET_TIMEOUT."""

    key_salt = f"{settings.PROJECT_SLUG}.identity.password-reset"


class _EmailVerificationTokens(_StateBoundTokens):
    """Bound to the id, email and whether it is verified: dead once it is (or the address
    changes), but not by a login. Expire after EMAIL_VERIFICATION_TIMEOUT."""

    key_salt = f"{settings.PROJECT_SLUG}.identity.email-verification"

    def timeout(self) -> int:
        return int(settings.EMAIL_VERIFICATION_TIMEOUT)

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}|{user.email}|{user.email_verified}|{timestamp}"


_GENERATORS: dict[TokenPurpose, _StateBoundTokens] = {
    TokenPurpose.PASSWORD_RESET: _PasswordResetTokens(),
    TokenPurpose.EMAIL_VERIFICATION: _EmailVerificationTokens(),
}
_SEPARATOR = "."  # neither in urlsafe base64 nor in Django's token
_TOKEN_MAX_LENGTH = 200


class DjangoAccountTokens:
    """``<user id, urlsafe base64>.<Django token>``: opaque to the client, stateless here."""

    def issue(self, *, user_id: UserId, purpose: TokenPurpose) -> str:
        row = models.User.objects.get(pk=user_id, is_active=True)
        uid = urlsafe_base64_encode(force_bytes(row.pk))
        return f"{uid}{_SEPARATOR}{_GENERATORS[purpose].make_token(row)}"

    def check(self, *, token: str, purpose: TokenPurpose) -> UserId:
        uid, _, secret = token.partition(_SEPARATOR)
        if len(token) > _TOKEN_MAX_LENGTH or not secret:
            raise InvalidToken()
        try:
            user_id = int(urlsafe_base64_decode(uid).decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            raise InvalidToken() from None
        if not 0 < user_id < 2**63:
            raise InvalidToken()
        # Locked until the unit of work ends: a second use of the token waits, then finds the
        # state changed (on SQLite, IMMEDIATE transactions serialize the writers instead).
        row = models.User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if row is None or not _GENERATORS[purpose].check_token(row, secret):
            raise InvalidToken()
        return UserId(row.pk)


def purge_expired_tokens() -> int:
    """Delete every expired token; how many. An expired token authenticates no one, but without
    this it stays until its user next logs in (``KnoxTokenIssuer.issue``). Beat runs it hourly
    (``identity.purge_expired_tokens``)."""
    deleted: int = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()[0]
    return deleted
