"""GET and PATCH /me written the usual DRF way, for bench/fixed_cost.py.

What "plain DRF" means here (the fixed-cost bench's reference, (b)):

- **Authentication: DRF's ``TokenAuthentication``, on knox's token table.** The app's tokens
  are knox's (digests, with expiry), so the reference reads the same ``Authorization: Token
  <key>`` tokens, with the same guarantees: expiry and revocation checked on every request.
  ``KnoxTokenAuthentication`` below is DRF's ``TokenAuthentication`` with knox's lookup: one
  ORM query for the token and its user (``select_related("user")``, as DRF's own does), then
  the digest compared and the expiry checked. Knox's own class is *not* used: it also sweeps
  the user's other tokens on every request (two more queries), which no one would call the
  fair plain-DRF cost (bench/run.py's reference uses the app's class instead, to credit the app
  only with what its views do; this bench is about the framework's fixed cost, so authentication
  is part of what is compared).
- **The view: ``RetrieveUpdateAPIView``** whose object is ``request.user``, with a
  ``ModelSerializer`` over the user and the profile's ``name`` and ``bio`` (``source=
  "profile.name"``), so the profile is read the usual way, through the user's one-to-one
  relation (a second query); a PATCH saves the profile (``profile.save()``, one statement, in
  autocommit: DRF opens no transaction). DRF's ``JSONParser``, ``JSONRenderer`` and
  ``DefaultContentNegotiation``; ``IsAuthenticated``; the project's exception handler.
- **Throttles: DRF's ``AnonRateThrottle`` and ``UserRateThrottle``** on the same cache as
  the app's (the per-process memory cache, or Redis with REDIS_URL), at the same (raised)
  count as the bench's THROTTLE_USER_RATE but over a **one-second** window. DRF's throttles
  keep every request time of the window and rewrite that list on each request; over the
  bench's one-minute window the list would grow to tens of thousands of entries and the
  benchmark would measure pickling it. Over one second it holds about as many as production's
  1200/minute allows at most (the requests of the last second: some 500-1000 here), which is
  what DRF's throttle costs a busy user in production. ``/bench/drf-unthrottled/me`` is the
  same view without throttles (cookiecutter-django's production settings do not throttle):
  ``python -m bench.fixed_cost --reference-throttle none`` measures against it.

Mounted by the one line in bench/urls.py.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any, cast

from django.conf import settings
from django.urls import path
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import generics, serializers, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from adapters.identity.models import User
from contexts.identity.domain.model import BIO_MAX_LENGTH, NAME_MAX_LENGTH


class KnoxTokenAuthentication(BaseAuthentication):
    """DRF's ``TokenAuthentication`` on knox's table: one query, digest, expiry, active user."""

    keyword = b"token"

    def authenticate(self, request: Request) -> tuple[User, AuthToken] | None:
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword:
            return None
        if len(auth) != 2:
            raise AuthenticationFailed("Invalid token header.")
        try:
            key = auth[1].decode()
            digest = hash_token(key)
        except (UnicodeError, binascii.Error, TypeError, ValueError):
            raise AuthenticationFailed("Invalid token.") from None
        tokens = AuthToken.objects.select_related("user").filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        )
        for token in tokens:
            if not compare_digest(digest, token.digest):
                continue
            if token.expiry is not None and token.expiry < timezone.now():
                token.delete()
                break
            user = cast(User, token.user)
            if not user.is_active:
                raise AuthenticationFailed("User inactive or deleted.")
            return user, token
        raise AuthenticationFailed("Invalid token.")

    def authenticate_header(self, request: Request) -> str:
        return "Token"


def _per_second(scope: str) -> str:
    """The bench's rate for ``scope``, its count over one second (see the module docstring)."""
    count = str(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]).split("/")[0]
    return f"{count}/second"


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_rate(self) -> str:
        return _per_second("anon")


class UserRateThrottle(throttling.UserRateThrottle):
    def get_rate(self) -> str:
        return _per_second("user")


class MeSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="profile.name", max_length=NAME_MAX_LENGTH, required=False)
    bio = serializers.CharField(
        source="profile.bio", max_length=BIO_MAX_LENGTH, required=False, allow_blank=True
    )

    class Meta:
        model = User
        fields = ["id", "email", "name", "bio", "email_verified"]
        read_only_fields = ["email", "email_verified"]

    def update(self, instance: User, validated_data: dict[str, Any]) -> User:
        profile = instance.profile
        for attribute, value in validated_data.get("profile", {}).items():
            setattr(profile, attribute, value)
        profile.save()
        return instance


class PlainDRFMe(generics.RetrieveUpdateAPIView[User]):
    serializer_class = MeSerializer
    authentication_classes = [KnoxTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = DefaultContentNegotiation
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return cast(User, self.request.user)


class UnthrottledPlainDRFMe(PlainDRFMe):
    throttle_classes = []


urlpatterns = [
    path("bench/drf/me", PlainDRFMe.as_view(), name="bench-drf-me"),
    path("bench/drf-unthrottled/me", UnthrottledPlainDRFMe.as_view(), name="bench-drf-me-bare"),
]
