"""Token authentication: knox tokens (stored as digests, with expiry, revocable), sent as
``Authorization: Token <key>``; ``Bearer <key>`` is accepted too."""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request

_ACCEPTED_PREFIXES = (b"token", b"bearer")


class TokenAuthentication(KnoxTokenAuthentication):  # type: ignore[misc]  # knox ships no types
    def authenticate(self, request: Request) -> tuple[object, object] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace").split()
        if not header or header[0].lower() not in _ACCEPTED_PREFIXES:
            return None
        if len(header) != 2:
            raise AuthenticationFailed("Invalid Authorization header: expected 'Token <key>'.")
        user_and_token: tuple[object, object] = self.authenticate_credentials(header[1])
        return user_and_token

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        """Refuse (and delete) this token if it expired. Knox would also sweep all the user's
        other expired tokens here, one extra query on every request; that sweep happens at
        login instead (``KnoxTokenIssuer.issue``)."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def authenticated_user_id(request: Request) -> int:
    """The id of the authenticated user (views behind IsAuthenticated only)."""
    user_id = request.user.pk
    if user_id is None:
        raise NotAuthenticated()
    return int(user_id)


def current_token_id(request: Request) -> str:
    """The server-side id (digest) of the token the request authenticated with."""
    token = request.auth
    if not isinstance(token, AuthToken):
        raise NotAuthenticated()
    return str(token.digest)
