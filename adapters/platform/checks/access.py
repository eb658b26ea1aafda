"""E104, E105, E112: default deny, and views that never query the database themselves
(creed 1 and 2)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from rest_framework.permissions import AllowAny, OperandHolder, SingleOperandHolder
from rest_framework.views import APIView

from adapters.platform.checks.discovery import (
    Messages,
    first_party_views,
)
from adapters.platform.rest.permissions import PUBLIC_MARKER, is_public

# --- E104, E105: default deny ---------------------------------------------------------------------


def _permission_leaves(entry: object) -> Iterator[object]:
    """The permission classes inside ``entry``, also when composed with ``|``, ``&`` or ``~``."""
    if isinstance(entry, OperandHolder):
        yield from _permission_leaves(entry.op1_class)
        yield from _permission_leaves(entry.op2_class)
    elif isinstance(entry, SingleOperandHolder):
        yield from _permission_leaves(entry.op1_class)
    else:
        yield entry


def _marked_public(view: type[APIView]) -> bool:
    """``@public`` on the class itself: a subclass does not inherit its parent's decision."""
    return is_public(view) and PUBLIC_MARKER in vars(view)


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_view_permissions(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    views: Iterable[type[APIView]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 1, default deny: a routed view keeps the default (IsAuthenticated) or declares its
    permissions; ``AllowAny`` appears only on views marked ``@public``, so that an anonymous
    endpoint is always a visible decision, never a forgotten or inherited attribute."""
    messages: Messages = []
    for view in first_party_views() if views is None else views:
        if _marked_public(view):
            continue
        declared = list(view.permission_classes)
        if not declared:
            messages.append(
                checks.Error(
                    f"{view.__qualname__} has permission_classes = [], which lets every "
                    "request through.",
                    hint="Drop the override to keep the default (IsAuthenticated), declare the "
                    "permission classes that apply, or mark the view @public "
                    "(adapters.platform.rest.permissions) if anonymous access is intended.",
                    obj=view,
                    id="bastion.E105",
                )
            )
            continue
        allow_any = sorted(
            {
                leaf.__name__
                for entry in declared
                for leaf in _permission_leaves(entry)
                if isinstance(leaf, type) and issubclass(leaf, AllowAny)
            }
        )
        if allow_any:
            inherited = " (it inherits @public, which does not count)" if is_public(view) else ""
            messages.append(
                checks.Error(
                    f"{view.__qualname__} allows anonymous access ({', '.join(allow_any)}) but "
                    f"is not marked @public{inherited}.",
                    hint="If the endpoint is meant to be anonymous, decorate the class itself "
                    "with @public (adapters.platform.rest.permissions); otherwise remove "
                    "AllowAny and keep the default IsAuthenticated or declare the permissions "
                    "that apply.",
                    obj=view,
                    id="bastion.E104",
                )
            )
    return messages


# --- E112: views do not query -----------------------------------------------------------


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_views_do_not_query(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    views: Iterable[type[APIView]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 2, object-level access: a view that carries a queryset (DRF's generic views)
    reads whatever it matches, unscoped unless someone remembered to filter. Reads go through
    a service whose repository scopes the query by the actor or tenant; import-linter keeps
    view modules from importing models, and this catches querysets reached any other way."""
    messages: Messages = []
    for view in first_party_views() if views is None else views:
        if getattr(view, "queryset", None) is not None or "get_queryset" in vars(view):
            messages.append(
                checks.Error(
                    f"{view.__qualname__} queries the database itself (queryset / "
                    "get_queryset), outside any repository's tenant scoping.",
                    hint="Call a service method instead, and let its repository filter by the "
                    "acting user or organization in the query (see adapters/billing/"
                    "repositories.py); views map entities with compile_mapper.",
                    obj=view,
                    id="bastion.E112",
                )
            )
    return messages
