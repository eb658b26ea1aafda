"""Who is making the request, as the services need to know it."""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request


def authenticated_user_id(request: Request) -> int:
    """The id of the authenticated user (views behind IsAuthenticated only)."""
    user_id = request.user.pk
    if user_id is None:
        raise NotAuthenticated()
    return int(user_id)
