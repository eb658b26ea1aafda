"""What a repository method's query is scoped by, stated where a check can read it.

Creed 2 says every read and write is scoped to the requesting user or organization *in the
query itself*. A repository method says which with one decorator::

    class DjangoInvoiceRepository:
        @scoped_by_organization("organization_id")
        def get(self, organization_id: OrganizationId, invoice_id: InvoiceId) -> Invoice: ...

        @scoped_by_row("invoice")  # an invoice read through a scoped method first
        def mark_paid(self, invoice: Invoice, at: datetime) -> Invoice: ...

        @unscoped("the plan catalogue is the same for every user")
        def list_page(self, page: PageRequest) -> Page[Plan]: ...

The declaration is held to the code twice: the decorator refuses a parameter the method does
not take, and the system check bastion.E114 (adapters/platform/checks/scoping.py) refuses one
the method's body never passes to a query. bastion.E113 refuses a view that reaches, through
its service, a repository method with no declaration; ``manage.py security_summary`` reports
each endpoint's scopes from these declarations.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import attrs

F = TypeVar("F", bound=Callable[..., Any])

SCOPE_ATTRIBUTE = "__repository_scope__"


class Scope(StrEnum):
    """What a query is restricted to, from the narrowest to the widest."""

    ACTING_USER = "acting user"  # rows of one user: the caller's own
    ORGANIZATION = "organization"  # rows of one organization (the caller's membership checked)
    ROW = "row"  # a row the caller already read through a scoped method
    UNSCOPED = "unscoped"  # on purpose: not tenant data (a catalogue), or a credential lookup

    @property
    def breadth(self) -> int:
        """How much of the table a query with this scope can reach (higher: more)."""
        return _BREADTH[self]


_BREADTH = {Scope.ACTING_USER: 1, Scope.ROW: 1, Scope.ORGANIZATION: 2, Scope.UNSCOPED: 3}


@attrs.frozen
class ScopeDeclaration:
    """A repository method's declared scope: the kind, and the parameter carrying it (or why
    the method is deliberately unscoped)."""

    scope: Scope
    parameter: str | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.scope is Scope.UNSCOPED:
            return f"unscoped ({self.reason})"
        return f"{self.scope.value} (`{self.parameter}`)"


def _declare(declaration: ScopeDeclaration) -> Callable[[F], F]:
    def decorate(method: F) -> F:
        parameter = declaration.parameter
        if parameter is not None and parameter not in inspect.signature(method).parameters:
            raise TypeError(
                f"{method.__qualname__} is declared scoped by {parameter!r}, which is not one "
                "of its parameters."
            )
        setattr(method, SCOPE_ATTRIBUTE, declaration)
        return method

    return decorate


def scoped_by_user(parameter: str) -> Callable[[F], F]:
    """The query is restricted to the rows of the user named by ``parameter``."""
    return _declare(ScopeDeclaration(Scope.ACTING_USER, parameter))


def scoped_by_organization(parameter: str) -> Callable[[F], F]:
    """The query is restricted to the rows of the organization named by ``parameter``."""
    return _declare(ScopeDeclaration(Scope.ORGANIZATION, parameter))


def scoped_by_row(parameter: str) -> Callable[[F], F]:
    """The query touches only the row ``parameter`` (an entity read through a scoped method)."""
    return _declare(ScopeDeclaration(Scope.ROW, parameter))


def unscoped(reason: str) -> Callable[[F], F]:
    """The query is deliberately not tenant-scoped; ``reason`` says why (shown in reviews)."""
    if not reason.strip():
        raise ValueError("An unscoped repository method must say why.")
    return _declare(ScopeDeclaration(Scope.UNSCOPED, reason=reason))


def declared_scope(method: object) -> ScopeDeclaration | None:
    """The scope ``method`` declares, if any (also through ``staticmethod``)."""
    function = getattr(method, "__func__", method)
    declaration = getattr(function, SCOPE_ATTRIBUTE, None)
    return declaration if isinstance(declaration, ScopeDeclaration) else None
