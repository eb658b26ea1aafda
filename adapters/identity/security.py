"""Identity's security adapters: Django's password policy and hashers, django-axes lock-out,
and knox tokens."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from adapters.identity import models
from adapters.identity.problems import lockout_seconds
from adapters.platform.http.request_context import current_request
from contexts.identity.domain.errors import InvalidCredentials, LoginLockedOut, WeakPassword
from contexts.identity.domain.model import IssuedToken, TokenId
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


def purge_expired_tokens() -> int:
    """Delete every expired token; how many. An expired token authenticates no one, but without
    this it stays until its user next logs in (``KnoxTokenIssuer.issue``). Beat runs it hourly
    (``identity.purge_expired_tokens``)."""
    deleted: int = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()[0]
    return deleted
