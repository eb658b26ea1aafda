"""The base view of everything under ``/orgs/{org_id}/`` (see the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from dependency_injector.wiring import Provide, inject
from rest_framework.request import Request
from rest_framework.views import APIView

from adapters.platform.rest.actors import grant_role, request_actor
from adapters.platform.tenancy.container import TenancyContainer
from adapters.platform.tenancy.ports import MembershipDirectory
from kernel.actors import UserId
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role

ORG_ID_KWARG = "org_id"


@inject
def resolve_role(
    user_id: UserId,
    organization_id: OrganizationId,
    memberships: MembershipDirectory = Provide[TenancyContainer.memberships],
) -> Role:
    """The user's role in the organization; ``OrganizationNotFound`` for a non-member."""
    role = memberships.role_of(user_id=user_id, organization_id=organization_id)
    if role is None:
        raise OrganizationNotFound()
    return role


class OrganizationScopedView(APIView):
    """Base class of every view under ``/orgs/{org_id}/``."""

    required_roles: ClassVar[Mapping[str, Role]] = {}
    # Methods only staff may call, on any organization, member or not (e.g. issuing invoices).
    # A member who is not staff gets 403; anyone else the usual 404.
    staff_methods: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers = {m for m in cls.http_method_names if m not in ("options", "head")}
        undeclared = sorted(
            m.upper()
            for m in handlers
            if hasattr(cls, m) and m.upper() not in {*cls.required_roles, *cls.staff_methods}
        )
        if undeclared:
            raise TypeError(
                f"{cls.__name__} must declare required_roles for {', '.join(undeclared)} "
                "(e.g. required_roles = {'GET': Role.MEMBER})."
            )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        method = request.method or "GET"
        actor = request_actor(request)
        if method in self.staff_methods and actor.is_staff:
            return  # the view's service answers 404 for an organization that does not exist
        organization_id = OrganizationId(int(kwargs[ORG_ID_KWARG]))
        actor = grant_role(request, organization_id, resolve_role(actor.user_id, organization_id))
        if not hasattr(self, method.lower()) and method not in ("HEAD", "OPTIONS"):
            return  # members learn the method is not allowed (405) rather than their role's limits
        if method in self.staff_methods:
            actor.require_staff()
        actor.require_role(organization_id, self._required_role(method))

    def _required_role(self, method: str) -> Role:
        if method == "HEAD":
            method = "GET"
        # OPTIONS only describes the endpoint: any member may ask.
        return self.required_roles.get(method, Role.MEMBER if method == "OPTIONS" else Role.OWNER)
