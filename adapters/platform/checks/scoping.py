"""E113, E114: every query a view reaches states its tenant scope, and the statement is true
(creed 2, object-level access in the query itself).

Repository methods declare what their query is scoped by (adapters.platform.persistence.scopes);
``manage.py security_summary`` reports those scopes per endpoint, so they must be complete and
true: E113 refuses a view whose handler reaches, through its service, a repository method that
declares nothing; E114 refuses a declaration naming a parameter the method never hands to a
query.
"""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules
from rest_framework.views import APIView

from adapters.platform.checks.discovery import Messages, first_party_views, is_first_party
from adapters.platform.persistence.scopes import declared_scope
from adapters.platform.security_summary.tracing import (
    REPOSITORY_MODULE_SUFFIX,
    is_repository,
    trace_handler,
)

HANDLERS = ("get", "post", "put", "patch", "delete")


def view_handlers(view: type[APIView]) -> list[str]:
    """The HTTP methods ``view`` answers with a handler of its own (or an inherited one)."""
    return [method.upper() for method in HANDLERS if hasattr(view, method)]


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_views_reach_only_scoped_queries(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    views: Iterable[type[APIView]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 2: a handler whose service calls a repository method that does not declare its
    scope could read or write any tenant's rows, and the security summary could not say
    otherwise."""
    messages: Messages = []
    for view in first_party_views() if views is None else views:
        for method in view_handlers(view):
            for call in trace_handler(view, method).repository_calls:
                if call.declaration is not None:
                    continue
                messages.append(
                    checks.Error(
                        f"{view.__qualname__}.{method.lower()} reaches {call.name} (from "
                        f"{call.caller}), which declares no tenant scope.",
                        hint=f"Decorate {call.name} ({call.repository.__module__}) with "
                        "@scoped_by_user, @scoped_by_organization or @scoped_by_row naming the "
                        "parameter its query filters on, or @unscoped('why') if it is "
                        "deliberately not tenant data (adapters/platform/persistence/scopes.py).",
                        obj=view,
                        id="bastion.E113",
                    )
                )
    return messages


def first_party_repositories() -> list[type[Any]]:
    """Every repository class of every first-party ``repositories`` module."""
    autodiscover_modules("repositories")
    found: dict[type[Any], None] = {}
    for name, module in sorted(sys.modules.items()):
        if module is None or not name.endswith(REPOSITORY_MODULE_SUFFIX):
            continue
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and value.__module__ == name
                and is_first_party(value)
                and is_repository(value)
            ):
                found[value] = None
    return list(found)


def _parameter_reaches_a_call(function: Any, parameter: str) -> bool:
    """``parameter`` appears among the arguments of some call in the body (the query, or the
    helper building it): a declaration the code does not bear out is worse than none."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return True  # no source to hold it to (a compiled module): nothing to contradict it
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        for argument in arguments:
            if any(
                isinstance(name, ast.Name) and name.id == parameter for name in ast.walk(argument)
            ):
                return True
    return False


def _declared_methods(repository: type[Any]) -> Iterator[tuple[str, Any]]:
    for name, attribute in vars(repository).items():
        function = attribute.__func__ if isinstance(attribute, staticmethod) else attribute
        if inspect.isfunction(function):
            yield name, function


@checks.register(checks.Tags.security)
def check_declared_scopes_are_true(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    repositories: Iterable[type[Any]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """A method declared scoped by ``organization_id`` must hand ``organization_id`` to its
    query: otherwise the declaration (and the security summary) would claim a scope the
    query does not have."""
    messages: Messages = []
    for repository in first_party_repositories() if repositories is None else repositories:
        for name, function in _declared_methods(repository):
            declaration = declared_scope(function)
            if declaration is None or declaration.parameter is None:
                continue
            if not _parameter_reaches_a_call(inspect.unwrap(function), declaration.parameter):
                messages.append(
                    checks.Error(
                        f"{repository.__qualname__}.{name} is declared scoped by "
                        f"{declaration.parameter!r}, but never passes it to a query.",
                        hint=f"Filter the query on {declaration.parameter} (e.g. "
                        f".filter(organization_id={declaration.parameter})), or declare the "
                        "scope the query really has.",
                        obj=repository,
                        id="bastion.E114",
                    )
                )
    return messages
