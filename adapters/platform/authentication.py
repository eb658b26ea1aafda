"""Token authentication: knox tokens (stored as digests, with expiry, revocable), sent as
``Authorization: Token <key>``; ``Bearer <key>`` is accepted too."""

from __future__ import annotations

import binascii
from datetime import datetime
from hmac import compare_digest

import attrs
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

_ACCEPTED_PREFIXES = (b"token", b"bearer")
_INVALID = "Invalid or expired token."
# What a request needs to know of its user, read together with the token in one query.
_COLUMNS = ("digest", "expiry", "user_id", "user__email", "user__is_active", "user__is_staff")


@attrs.frozen
class AuthenticatedToken:
    """``request.auth``: the server-side id (digest) of the token used, and its expiry."""

    digest: str
    expiry: datetime | None


class TokenAuthentication(BaseAuthentication):
    """Knox's token storage, read in one lean query.

    Knox's own authentication class loads the token row and the full user row as model
    instances, then sweeps the user's other tokens: three times the work of this one query,
    on every authenticated request. Expired tokens are refused and deleted here; the sweep
    of a user's other expired tokens happens at login (``KnoxTokenIssuer.issue``).
    """

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, AuthenticatedToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace").split()
        if not header or header[0].lower() not in _ACCEPTED_PREFIXES:
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Invalid Authorization header: expected 'Token <key>'.")
        try:
            token = header[1].decode("ascii")
            digest = hash_token(token)
        except (UnicodeDecodeError, binascii.Error, TypeError, ValueError):
            raise AuthenticationFailed(_INVALID) from None
        rows = AuthToken.objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH])
        for stored, expiry, user_id, email, is_active, is_staff in rows.values_list(*_COLUMNS):
            if not compare_digest(digest, stored):
                continue
            if expiry is not None and expiry < timezone.now():
                AuthToken.objects.filter(digest=stored).delete()
                break
            if not is_active:
                break
            user = get_user_model()(pk=user_id, email=email, is_active=True, is_staff=is_staff)
            return user, AuthenticatedToken(stored, expiry)
        raise AuthenticationFailed(_INVALID)

    def authenticate_header(self, request: Request) -> str:
        return "Token"


def authenticated_user_id(request: Request) -> int:
    """The id of the authenticated user (views behind IsAuthenticated only)."""
    user_id = request.user.pk
    if user_id is None:
        raise NotAuthenticated()
    return int(user_id)


def current_token_id(request: Request) -> str:
    """The server-side id (digest) of the token the request authenticated with."""
    token = request.auth
    if not isinstance(token, AuthenticatedToken):
        raise NotAuthenticated()
    return token.digest
