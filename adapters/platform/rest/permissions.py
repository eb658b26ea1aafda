"""Access declarations for views. The default (settings) is IsAuthenticated: default deny."""

from __future__ import annotations

from typing import TypeVar

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

V = TypeVar("V", bound=type[APIView])

PUBLIC_MARKER = "platform_public"


def public(view_class: V) -> V:
    """Mark a view as reachable without authentication, on purpose.

    The only sanctioned way to use ``AllowAny``: it documents the decision at the view, lets the
    security checks tell an intended public endpoint from a forgotten permission, and drops
    authentication so that a stale token header cannot block, say, a fresh login.
    """
    view_class.permission_classes = [AllowAny]
    view_class.authentication_classes = []
    setattr(view_class, PUBLIC_MARKER, True)
    return view_class


def is_public(view_class: type[APIView]) -> bool:
    return bool(getattr(view_class, PUBLIC_MARKER, False))
