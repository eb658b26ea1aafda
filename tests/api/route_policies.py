"""The vocabulary of route security policies, and every installed context's policies merged.

Each context states who may call each of its routes in its own module, beside its API tests
(``tests/api/<ctx>/route_policies.py``, named by its AppConfig's ``route_policies``); the
platform's own routes (schema, docs) are in ``tests/api/platform/route_policies.py``. A module
may define:

- ``ROUTES``: route (URL) name → PUBLIC, or {HTTP method: (who may call it, a request body that
  is *valid* when sent by such a caller)} — valid, so that the matrix proves refusals come from
  access control, not from input validation. "Who" is the API contract: the route security
  matrix (tests/api/test_route_security_matrix.py) checks that the view declares exactly that
  (``@public``, the default IsAuthenticated, or ``OrganizationScopedView.required_roles`` /
  ``staff_methods``) and that it is enforced.
- ``OBJECT_PARAMETERS``: path parameter (``invoice_id``) → a factory putting into the matrix's
  world one such object the callers may reach, and one they may not.
- ``WORLD_PREPARATIONS``: functions run on the world before the factories (objects routes need
  without naming them in their path).
- ``SCHEMATHESIS_CAST``: a function adding the context's objects to the cast the schemathesis
  run acts on (tests/api/schemathesis_support.py): it gets a ``CastStage`` (alice's and bob's
  organizations, clients for alice, bob and staff) and returns a ``CastPart``.

The world: users (``WorldSetup.users``: owner, admin and member of the "own" organization;
outsider, the owner of the "foreign" one, and foreign_member; stranger, in no organization;
staff, in neither) and the two organizations. Factories import their context's models
themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from importlib import import_module
from typing import Any

import attrs
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.platform.contexts import installed_contexts
from kernel.tenancy import Role

PUBLIC = "public"
USER = "any authenticated user"  # acting on their own data
STAFF = "staff"  # on any organization, member or not

Body = dict[str, Any] | None
Who = Role | str
Policy = dict[str, tuple[Who, Body]] | str

PLATFORM_POLICIES = "tests.api.platform.route_policies"


@attrs.frozen
class WorldSetup:
    org: int
    foreign_org: int
    users: Mapping[str, User]


# Creates an object the callers may reach ("own": in their organization, or their own) and one
# they may not ("foreign"); returns both ids, in that order.
ObjectFactory = Callable[[WorldSetup], tuple[int, int]]
Preparation = Callable[[WorldSetup], None]


@attrs.frozen
class CastStage:
    """What a context builds its part of the schemathesis cast on."""

    organizations: Mapping[str, str]  # "alice" → Acme's id, "bob" → Globex's
    clients: Mapping[str, APIClient]  # "alice", "bob", "staff"

    def get(self, who: str, path: str) -> Any:
        response = self.clients[who].get(path)
        assert response.status_code == HTTPStatus.OK, response.content
        return response.json()

    def post(
        self,
        who: str,
        path: str,
        data: dict[str, Any],
        *,
        key: str = "id",
        headers: dict[str, str] | None = None,
    ) -> str:
        """Create through the API (so that everything a real client sets off happens); the
        ``key`` field of what was created."""
        response = self.clients[who].post(path, data, format="json", headers=headers)
        assert response.status_code == HTTPStatus.CREATED, response.content
        return str(response.json()[key])


@attrs.frozen
class CastPart:
    """A context's objects in the cast (tests/api/schemathesis_support.py ``Cast`` says what
    each field means); ``body_values[i]`` joins the cast's i-th body pick."""

    known: Mapping[str, list[str]] = attrs.field(factory=dict)
    peers: Mapping[str, set[str]] = attrs.field(factory=dict)
    body_values: Sequence[Mapping[str, str]] = ()


CastBuilder = Callable[[CastStage], CastPart]


@attrs.frozen
class Policies:
    """Every installed context's policies, with the module each route's policy comes from."""

    routes: dict[str, Policy]
    objects: dict[str, ObjectFactory]
    preparations: list[Preparation]
    declared_in: dict[str, str]  # route name → the module declaring it
    casts: list[CastBuilder]


def policy_modules() -> list[str]:
    """The platform's module, then each installed context's (its AppConfig names it)."""
    return [PLATFORM_POLICIES, *(context.route_policies for context in installed_contexts())]


def collect() -> Policies:
    routes: dict[str, Policy] = {}
    objects: dict[str, ObjectFactory] = {}
    preparations: list[Preparation] = []
    declared_in: dict[str, str] = {}
    casts: list[CastBuilder] = []
    for name in policy_modules():
        module = import_module(name)
        for route, policy in getattr(module, "ROUTES", {}).items():
            assert route not in routes, f"{route!r} is declared in {declared_in[route]} and {name}"
            routes[route] = policy
            declared_in[route] = name
        for parameter, factory in getattr(module, "OBJECT_PARAMETERS", {}).items():
            assert parameter not in objects, f"Two factories for the path parameter {parameter!r}"
            objects[parameter] = factory
        preparations.extend(getattr(module, "WORLD_PREPARATIONS", []))
        if hasattr(module, "SCHEMATHESIS_CAST"):
            casts.append(module.SCHEMATHESIS_CAST)
    return Policies(routes, objects, preparations, declared_in, casts)


def policy_module_for(view_module: str) -> str:
    """Where the policy of a route served from ``view_module`` belongs."""
    for context in installed_contexts():
        if view_module == context.name or view_module.startswith(f"{context.name}."):
            return context.route_policies
    return PLATFORM_POLICIES
