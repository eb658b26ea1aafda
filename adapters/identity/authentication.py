"""Token authentication: knox tokens (stored as digests, with expiry, revocable), sent as
``Authorization: Token <key>``; ``Bearer <key>`` is accepted too."""

from __future__ import annotations

import binascii
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from hmac import compare_digest
from typing import Any, cast

import attrs
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Field
from django.db.models.expressions import Col
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

from adapters.identity import models
from adapters.identity.repositories import remember_for_request
from contexts.identity.domain.model import Profile, TokenId, User
from kernel.actors import UserId

_ACCEPTED_PREFIXES = (b"token", b"bearer")
_INVALID = "Invalid or expired token."


@cache
def _token_sql() -> str:
    """What a request needs to know of its token, its user's whole row and the user's profile,
    in one query. Plain SQL: it runs on every authenticated request, and building it with the
    ORM costs more than running it (bench/raw_sql.py)."""
    tokens, users = AuthToken._meta.db_table, get_user_model()._meta.db_table
    profiles = models.Profile._meta.db_table
    columns = ", ".join(f"u.{field.column}" for field in _user_fields())
    return (
        f"SELECT t.digest, t.expiry, p.name, p.bio, {columns} "  # noqa: S608  (constant names)
        f"FROM {tokens} t JOIN {users} u ON u.id = t.user_id "
        f"LEFT JOIN {profiles} p ON p.user_id = u.id WHERE t.token_key = %s"
    )


@cache
def _user_fields() -> tuple[Field[Any, Any], ...]:
    return tuple(get_user_model()._meta.concrete_fields)


@cache
def _user_converters(vendor: str) -> tuple[tuple[Col, tuple[Any, ...]], ...]:
    """Per user column, the converters the ORM itself applies to what the driver returns
    (SQLite gives booleans as integers and datetimes as text), so that the user built from the
    row is the one ``User.objects.get`` would give."""
    table = get_user_model()._meta.db_table
    converted = []
    for field in _user_fields():
        column = field.get_col(table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converted.append((column, tuple(converters)))
    return tuple(converted)


def _user_from_row(values: Sequence[Any]) -> AbstractBaseUser:
    """A real, complete user instance (as loaded by the ORM: ``save()`` is safe, every field
    is right), not a partial one."""
    converted = []
    for raw, (column, converters) in zip(values, _user_converters(connection.vendor), strict=True):
        value = raw
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    user: AbstractBaseUser = get_user_model().from_db(
        connection.alias, [field.attname for field in _user_fields()], converted
    )
    return user


def _entity(user: AbstractBaseUser, name: str, bio: str) -> User:
    """The domain user the request works with (``DjangoUserRepository.get`` returns it)."""
    row = cast(models.User, user)  # AUTH_USER_MODEL is identity's own
    return User(
        id=UserId(row.pk),
        email=row.email,
        profile=Profile(name=name, bio=bio),
        email_verified=row.email_verified,
    )


@attrs.frozen
class AuthenticatedToken:
    """``request.auth``: the server-side id (digest) of the token used, and its expiry."""

    digest: str
    expiry: datetime | None


def _aware(value: datetime | str | None) -> datetime | None:
    """A raw cursor returns what the driver gives: an aware datetime from PostgreSQL, a naive
    UTC one (or its text) from SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


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
        with connection.cursor() as cursor:
            cursor.execute(_token_sql(), [token[: CONSTANTS.TOKEN_KEY_LENGTH]])
            rows = cursor.fetchall()
        for stored, raw_expiry, name, bio, *user_row in rows:
            if not compare_digest(digest, stored):
                continue
            expiry = _aware(raw_expiry)
            if expiry is not None and expiry < timezone.now():
                AuthToken.objects.filter(digest=stored).delete()
                break
            user = _user_from_row(user_row)
            if not user.is_active:
                break
            if name is not None:  # every account has a profile; without one, read it later
                remember_for_request(_entity(user, name, bio))
            return user, AuthenticatedToken(stored, expiry)
        raise AuthenticationFailed(_INVALID)

    def authenticate_header(self, request: Request) -> str:
        return "Token"


def current_token_id(request: Request) -> TokenId:
    """The server-side id (digest) of the token the request authenticated with."""
    token = request.auth
    if not isinstance(token, AuthenticatedToken):
        raise NotAuthenticated()
    return TokenId(token.digest)
