"""An automatic security matrix over every route under /api/.

For every route and method found in the URLconf:
- anonymous callers get 401 with a WWW-Authenticate challenge, unless the route is public;
- under /orgs/{org_id}/: a non-member gets 404, byte-identical to a missing organization;
  every role below the view's ``required_roles`` gets 403 (non-staff for ``staff_methods``);
  the lowest sufficient role gets past access control;
- a path parameter naming another tenant's (or user's) object gets 404, byte-identical to a
  missing id.
A route no policy module declares fails the test, naming the module where it belongs and what
to declare (tests/api/route_policies.py: each context states its routes' policies beside its
own API tests).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import attrs
import orjson
import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from adapters.identity.models import User
from adapters.organizations.models import Membership, Organization
from adapters.platform.rest.permissions import is_public
from adapters.platform.tenancy.views import OrganizationScopedView
from kernel.tenancy import Role
from tests.api.route_policies import (
    PUBLIC,
    STAFF,
    USER,
    Body,
    Who,
    WorldSetup,
    collect,
    policy_module_for,
)
from tests.conftest import client_for
from tests.factories import make_user

MISSING_ID = 987_654_321
ROLES = [Role.MEMBER, Role.ADMIN, Role.OWNER]
HANDLED = ("get", "post", "put", "patch", "delete")


@attrs.frozen
class Route:
    name: str
    pattern: str
    view: type[APIView]
    methods: tuple[str, ...]

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)

    @property
    def scoped(self) -> bool:
        return issubclass(self.view, OrganizationScopedView)


def _discover() -> list[Route]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
                continue
            view = getattr(entry.callback, "view_class", None)
            path = prefix + str(entry.pattern)
            if not path.startswith("api/") or view is None or entry.name is None:
                continue
            methods = tuple(m.upper() for m in HANDLED if hasattr(view, m))
            yield Route(entry.name, "/" + path, view, methods)

    return list(walk(get_resolver().url_patterns, ""))


POLICIES = collect()
ROUTES = POLICIES.routes
OBJECT_PARAMETERS = POLICIES.objects
ALL_ROUTES = _discover()
PROTECTED = [r for r in ALL_ROUTES if ROUTES.get(r.name) != PUBLIC]


def test_every_route_has_a_declared_policy() -> None:
    for route in ALL_ROUTES:
        policy = ROUTES.get(route.name)
        module = policy_module_for(route.view.__module__)
        assert policy is not None, (
            f"Route {route.name!r} ({route.pattern}) has no security policy. Declare it in "
            f"{module}: ROUTES[name] = PUBLIC (and mark the view @public), or "
            "{METHOD: (who may call it, a body valid for such a caller)} for each of its "
            f"methods {route.methods}."
        )
        assert POLICIES.declared_in[route.name] == module, (
            f"Route {route.name!r} is served by {route.view.__module__}: declare its policy in "
            f"{module}, beside its context's tests, not in {POLICIES.declared_in[route.name]}."
        )
        if policy == PUBLIC:
            assert is_public(route.view) or route.name in ("schema", "docs"), (
                f"{route.name!r} is declared PUBLIC but its view is not marked @public."
            )
            continue
        assert isinstance(policy, dict)
        assert set(policy) == set(route.methods), (
            f"Route {route.name!r}: declare a body for exactly its methods {route.methods} in "
            f"{module} (declared: {sorted(policy)})."
        )
        for method, (who, _) in policy.items():
            assert _declared(route, method) == who, (
                f"{method} {route.name}: the contract says {who!r} may call it, the view "
                f"declares {_declared(route, method)!r}."
            )
        unknown = [p for p in route.parameters if p != "org_id" and p not in OBJECT_PARAMETERS]
        assert not unknown, (
            f"Route {route.name!r} has path parameters {unknown}: register a factory of the "
            f"world objects they name in OBJECT_PARAMETERS ({module})."
        )


def _declared(route: Route, method: str) -> Who:
    """Who the view itself lets call ``method``."""
    view = route.view
    if not issubclass(view, OrganizationScopedView):
        return PUBLIC if is_public(view) else USER
    return STAFF if method in view.staff_methods else view.required_roles[method]


def test_no_route_is_forgotten_by_the_policy_file() -> None:
    names = {route.name for route in ALL_ROUTES}
    assert set(ROUTES) <= names, f"Policies for routes that no longer exist: {set(ROUTES) - names}"


# --- the world: two organizations, with every kind of object in each ----------------------------


@attrs.frozen
class World:
    org: int
    foreign_org: int
    users: dict[str, User]
    objects: dict[str, tuple[int, int]]  # path parameter → (own id, foreign id)

    def client(self, who: str) -> APIClient:
        return client_for(self.users[who])

    def url(self, route: Route, *, org: int | None = None, object_choice: int = 0) -> str:
        values: dict[str, Any] = {"org_id": self.org if org is None else org}
        for parameter in route.parameters:
            if parameter in self.objects:
                own, foreign = self.objects[parameter]
                values[parameter] = (own, foreign, MISSING_ID)[object_choice]
        path = route.pattern
        for name, value in values.items():
            path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
        return path

    def body(self, route: Route, method: str) -> Body:
        policy = ROUTES[route.name]
        assert isinstance(policy, dict)
        _, body = policy[method]
        if body is None:
            return None
        return {
            key: value.format(stranger_email=self.users["stranger"].email)
            if isinstance(value, str)
            else value
            for key, value in body.items()
        }


@pytest.fixture
def world(db: None) -> World:
    users = {
        name: make_user(email=f"{name}@matrix.example")
        for name in ("owner", "admin", "member", "outsider", "foreign_member", "stranger")
    }
    users["staff"] = make_user(email="staff@matrix.example", is_staff=True)
    org = Organization.objects.create(name="Home")
    foreign = Organization.objects.create(name="Elsewhere")
    for role in ROLES:
        Membership.objects.create(organization=org, user=users[role.value], role=role.value)
    Membership.objects.create(organization=foreign, user=users["outsider"], role="owner")
    Membership.objects.create(organization=foreign, user=users["foreign_member"], role="member")
    setup = WorldSetup(org.pk, foreign.pk, users)
    for prepare in POLICIES.preparations:
        prepare(setup)
    objects = {parameter: make(setup) for parameter, make in OBJECT_PARAMETERS.items()}
    return World(org.pk, foreign.pk, users, objects)


def _send(client: APIClient, method: str, url: str, body: Body) -> Any:
    """Send one request and undo whatever it changed, so every call meets the same world."""
    with transaction.atomic():
        response = client.generic(
            method,
            url,
            data=b"" if body is None else orjson.dumps(body),  # type: ignore[arg-type]  # Django takes bytes; the stubs say str
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"matrix-{method}-{url}",
        )
        transaction.set_rollback(True)
    return response


def _cases(routes: list[Route]) -> list[tuple[Route, str]]:
    return [(route, method) for route in routes for method in route.methods]


def _id(case: tuple[Route, str]) -> str:
    return f"{case[1]} {case[0].name}"


# --- the matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _cases(PROTECTED), ids=_id)
def test_anonymous_callers_get_401(case: tuple[Route, str], world: World) -> None:
    route, method = case

    response = _send(APIClient(), method, world.url(route), world.body(route, method))

    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"]


SCOPED = [r for r in PROTECTED if r.scoped]


@pytest.mark.parametrize("case", _cases(SCOPED), ids=_id)
def test_non_members_cannot_tell_an_organization_from_a_missing_one(
    case: tuple[Route, str], world: World
) -> None:
    route, method = case
    client = world.client("outsider")

    foreign = _send(client, method, world.url(route), world.body(route, method))
    missing = _send(client, method, world.url(route, org=MISSING_ID), world.body(route, method))

    assert foreign.status_code == 404, foreign.content
    assert foreign.content == missing.content


def _required(route: Route, method: str) -> Role | None:
    """The lowest role a method needs by the contract, or None for staff-only methods."""
    policy = ROUTES[route.name]
    assert isinstance(policy, dict)
    who, _ = policy[method]
    if who == STAFF:
        return None
    assert isinstance(who, Role)
    return who


@pytest.mark.parametrize("case", _cases(SCOPED), ids=_id)
def test_roles_below_the_requirement_get_403_and_the_requirement_suffices(
    case: tuple[Route, str], world: World
) -> None:
    route, method = case
    required = _required(route, method)

    for role in ROLES:
        allowed = required is not None and role.at_least(required)
        response = _send(
            world.client(role.value), method, world.url(route), world.body(route, method)
        )
        if allowed:
            assert response.status_code not in (401, 403, 404), (role, response.content)
        else:
            assert response.status_code == 403, (role, response.content)
    if required is None:
        staff = _send(world.client("staff"), method, world.url(route), world.body(route, method))
        assert staff.status_code < 400, staff.content


OBJECT_ROUTES = [r for r in PROTECTED if set(r.parameters) & set(OBJECT_PARAMETERS)]


def _most_privileged(route: Route, method: str) -> str:
    if not route.scoped:
        return "member"  # user-scoped routes: the member owns the "own" objects
    return "staff" if _required(route, method) is None else "owner"


@pytest.mark.parametrize("case", _cases(OBJECT_ROUTES), ids=_id)
def test_other_tenants_objects_are_indistinguishable_from_missing_ones(
    case: tuple[Route, str], world: World
) -> None:
    route, method = case
    client = world.client(_most_privileged(route, method))

    foreign = _send(client, method, world.url(route, object_choice=1), world.body(route, method))
    missing = _send(client, method, world.url(route, object_choice=2), world.body(route, method))

    assert foreign.status_code == 404, foreign.content
    assert foreign.content == missing.content


def test_the_matrix_covers_every_protected_route() -> None:
    covered = {route.name for route in PROTECTED}
    assert covered == {name for name, policy in ROUTES.items() if policy != PUBLIC}
    assert len(list(itertools.chain(SCOPED, OBJECT_ROUTES))) > 0
