"""Every endpoint's security summary, derived from the code that answers it.

One entry per route and method of the first-party API, as plain JSON data
(``summarize()``), from these sources and no table of its own:

- authentication and roles: ``@public`` (adapters.platform.rest.permissions) and
  ``OrganizationScopedView.required_roles`` / ``staff_methods`` (adapters.platform.tenancy);
- tenant scoping: the repository methods the handler reaches through its service, with the
  scope each declares (tracing.py, adapters.platform.persistence.scopes);
- input: the request serializer drf-spectacular documents (or ``reject_body``);
- output: the response schema of each success status;
- problems: the platform's answers for the above, plus the problem type of every error class
  raised on the way (the registries the exception handler answers from);
- ``Idempotency-Key``: the ``@idempotent`` decorator; throttles: the view's throttle classes.
- proofs: the tests that target the endpoint's denials (proofs.py).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import exceptions
from rest_framework.views import APIView

from adapters.platform.checks.discovery import Endpoint, project_api
from adapters.platform.idempotency import decorators as idempotency
from adapters.platform.persistence.scopes import Scope
from adapters.platform.rest import problems
from adapters.platform.rest.permissions import is_public
from adapters.platform.rest.serializers import StrictInputSerializer
from adapters.platform.rest.throttling import FixedWindowThrottle
from adapters.platform.security_summary.proofs import EndpointFacts, Proof, find_proofs
from adapters.platform.security_summary.tracing import trace_handler
from adapters.platform.tenancy.views import ORG_ID_KWARG, OrganizationScopedView
from kernel.tenancy import Role

Summary = dict[str, Any]
EndpointSummary = dict[str, Any]

PUBLIC = "public"
USER = "user"
STAFF = "staff"
# Who may call an endpoint, from the widest audience to the narrowest: a change down this list
# restricts access, a change up it widens access (widening.py).
AUDIENCES = (PUBLIC, USER, Role.MEMBER.value, Role.ADMIN.value, Role.OWNER.value, STAFF)
PROBLEM_MEDIA_TYPES = ("application/json",)
BODY_METHODS = ("POST", "PUT", "PATCH")
_MAX_DEPTH = 8  # of nested response schemas


def _probe(view: APIView, request: Any) -> Any:
    """A handler to decorate, once, for the code object every @idempotent wrapper shares."""
    return None


# Every @idempotent handler is a closure over the same code: that is how one is recognized.
_IDEMPOTENT_WRAPPER = idempotency.idempotent(_probe).__code__


def summarize() -> Summary:
    """The security summary of the current URLconf (see the module docstring)."""
    api = project_api()
    if api.failure is not None:
        raise RuntimeError(f"The API schema does not build: {api.failure}")
    routes = _route_names()
    facts = [
        EndpointFacts(
            method=endpoint.method,
            path=endpoint.path,
            route=routes.get(endpoint.path, ""),
            public=is_public(endpoint.view_class),
            organization_scoped=issubclass(endpoint.view_class, OrganizationScopedView),
        )
        for endpoint in api.endpoints
    ]
    proofs = find_proofs(settings.BASE_DIR, facts)
    endpoints = [
        _endpoint(endpoint, api.components, fact.route, proofs)
        for endpoint, fact in zip(api.endpoints, facts, strict=True)
    ]
    endpoints.sort(key=lambda entry: (entry["path"], _METHOD_ORDER.get(entry["method"], 9)))
    return {
        "api_version": str(settings.SPECTACULAR_SETTINGS.get("VERSION", "")),
        "endpoints": endpoints,
    }


_METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}


def _route_names() -> dict[str, str]:
    """OpenAPI path (``/api/v1/orgs/{org_id}``) → URL name, for the tests' tables."""
    names: dict[str, str] = {}

    def walk(entries: list[URLPattern | URLResolver], prefix: str) -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif entry.name is not None:
                path = "/" + prefix + str(entry.pattern)
                names.setdefault(_openapi_path(path), entry.name)

    walk(get_resolver().url_patterns, "")
    return names


def _openapi_path(django_path: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", django_path)


# --- one endpoint ------------------------------------------------------------------------------


def _endpoint(
    endpoint: Endpoint,
    components: Mapping[str, Any],
    route: str,
    proofs: Mapping[tuple[str, str], list[Proof]],
) -> EndpointSummary:
    view, method = endpoint.view_class, endpoint.method
    trace = trace_handler(view, method)
    audience = _audience(view, method)
    idempotent = _is_idempotent(view, method)
    throttles = _throttles(view)
    object_parameters = [p for p in _path_parameters(endpoint.path) if p != ORG_ID_KWARG]
    queries = [
        {
            "call": f"{call.caller} → {call.name}",
            "scope": call.declaration.scope.value if call.declaration else "undeclared",
            "by": (call.declaration.parameter or "") if call.declaration else "",
            "reason": call.declaration.reason if call.declaration else "",
        }
        for call in trace.repository_calls
    ]
    body = _input(endpoint, view, method)
    statuses = _problems(
        audience=audience,
        body=body,
        idempotent=idempotent,
        throttles=throttles,
        endpoint=endpoint,
        raised=trace.raises,
    )
    operation = endpoint.operation or {}
    return {
        "endpoint": f"{method} {endpoint.path}",
        "method": method,
        "path": endpoint.path,
        "route": route,
        "view": f"{view.__module__}.{view.__qualname__}",
        "summary": str(operation.get("summary", "")),
        "authentication": PUBLIC if audience == PUBLIC else "token",
        "audience": audience,
        "denials": _denials(audience, object_parameters, queries),
        "tenant_scope": _tenant_scope(audience, queries),
        "services": list(trace.services),
        "queries": queries,
        "input": body,
        "output": _output(operation, components),
        "problems": statuses,
        "idempotency": _idempotency() if idempotent else None,
        "throttles": throttles,
        "proofs": [proof.as_json() for proof in proofs.get((method, endpoint.path), [])],
    }


def _path_parameters(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


def _audience(view: type[APIView], method: str) -> str:
    """Who may call the endpoint, as the view declares it (one of ``AUDIENCES``)."""
    if is_public(view):
        return PUBLIC
    if issubclass(view, OrganizationScopedView):
        if method in view.staff_methods:
            return STAFF
        return view.required_roles[method].value
    return USER


def _denials(
    audience: str, object_parameters: list[str], queries: list[dict[str, str]]
) -> dict[str, str]:
    denials: dict[str, str] = {}
    if audience == PUBLIC:
        return denials
    denials["401"] = "anonymous callers, and any missing, invalid, expired or revoked token"
    if audience == STAFF:
        denials["403"] = "members of the organization who are not staff"
        denials["404"] = (
            "non-members who are not staff, exactly as for a missing organization; staff "
            "get 404 for an organization that does not exist"
        )
    elif audience in (Role.MEMBER.value, Role.ADMIN.value, Role.OWNER.value):
        lower = [role.value for role in Role if role.rank < Role(audience).rank]
        if lower:
            denials["403"] = f"members whose role is {' or '.join(lower)}"
        denials["404"] = (
            "non-members of the organization, byte-for-byte the answer for a missing one"
        )
    scopes = {query["scope"] for query in queries}
    if object_parameters and scopes & {Scope.ACTING_USER.value, Scope.ORGANIZATION.value}:
        whose = "another user's" if audience == USER else "another organization's"
        names = ", ".join(f"`{name}`" for name in object_parameters)
        missing = " and a missing one" if "404" not in denials else ""
        denials["404"] = (denials.get("404", "") + "; " if "404" in denials else "") + (
            f"{whose} {names}{missing}, with the same body as a missing id"
        )
    return denials


def _tenant_scope(audience: str, queries: list[dict[str, str]]) -> str:
    scopes = sorted({query["scope"] for query in queries})
    if audience == PUBLIC:
        who = "no caller (public)"
    elif audience == USER:
        who = "the acting user"
    elif audience == STAFF:
        who = "staff, on any organization"
    else:
        who = (
            f"organization membership (the caller's role in `{ORG_ID_KWARG}`, at least {audience})"
        )
    if not queries:
        return f"{who}; no repository query"
    return f"{who}; queries scoped by {', '.join(scopes)}"


def _is_idempotent(view: type[APIView], method: str) -> bool:
    function: Any = getattr(view, method.lower(), None)
    while function is not None:
        if getattr(function, "__code__", None) is _IDEMPOTENT_WRAPPER:
            return True
        function = getattr(function, "__wrapped__", None)
    return False


def _idempotency() -> dict[str, Any]:
    return {
        "header": idempotency.HEADER,
        "required": True,
        "missing_or_malformed": 400,
        "scoped_to": "the acting user",
        "replay": f"the first response, with `{idempotency.REPLAYED_HEADER}: true`",
        "same_key_other_request": idempotency.KEY_REUSED.status,
    }


def _throttles(view: type[APIView]) -> list[dict[str, str]]:
    instance = view()
    found: list[dict[str, str]] = []
    for throttle in instance.get_throttles():
        if not isinstance(throttle, FixedWindowThrottle):
            found.append({"scope": type(throttle).__name__, "per": "", "setting": ""})
            continue
        scope = throttle.scope_for(instance)
        doc = inspect.getdoc(type(throttle)) or ""
        found.append(
            {
                "scope": scope,
                "per": doc.split("\n")[0].rstrip("."),
                "setting": f'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["{scope}"]',
                "environment": f"THROTTLE_{scope.upper()}_RATE",
            }
        )
    return found


# --- input and output --------------------------------------------------------------------------


def _calls_reject_body(view: type[APIView], method: str) -> bool:
    function = inspect.unwrap(getattr(view, method.lower()))
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return False
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "reject_body"
        for node in ast.walk(tree)
    )


def _input(endpoint: Endpoint, view: type[APIView], method: str) -> dict[str, Any]:
    if method not in BODY_METHODS:
        return {"body": "none"}
    serializer = endpoint.request_body
    serializer_class = serializer if isinstance(serializer, type) else type(serializer)
    if serializer is None or not issubclass(serializer_class, StrictInputSerializer):
        if _calls_reject_body(view, method):
            return {"body": "none", "unknown_fields": "400 naming each field sent (reject_body)"}
        if serializer is None:
            return {"body": "not read"}
        return {
            "body": "json",
            "serializer": serializer_class.__qualname__,
            "unknown_fields": "ignored",
        }
    fields = serializer_class().fields
    return {
        "body": "json",
        "serializer": f"{serializer_class.__module__}.{serializer_class.__qualname__}",
        "fields": [
            {"name": name, "required": bool(field.required)}
            for name, field in fields.items()
            if not field.read_only
        ],
        "read_only_fields": [name for name, field in fields.items() if field.read_only],
        "unknown_fields": "400 naming each unknown or read-only field (StrictInputSerializer)",
    }


def _output(operation: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, list[str]]:
    exposed: dict[str, list[str]] = {}
    for status, response in (operation.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        content = (response or {}).get("content") or {}
        schema = next((content[m]["schema"] for m in PROBLEM_MEDIA_TYPES if m in content), None)
        exposed[str(status)] = sorted(set(_fields(schema, components, ""))) if schema else []
    return exposed


def _fields(
    schema: Mapping[str, Any], components: Mapping[str, Any], prefix: str, depth: int = 0
) -> Iterator[str]:
    """The field paths a response schema exposes: ``id``, ``results[].id``, ``entry.kind``."""
    reference = schema.get("$ref")
    if isinstance(reference, str):
        schema = components.get(reference.rsplit("/", 1)[-1], {})
    if depth > _MAX_DEPTH:
        return
    for alternative in [
        *schema.get("allOf", []),
        *schema.get("oneOf", []),
        *schema.get("anyOf", []),
    ]:
        yield from _fields(alternative, components, prefix, depth + 1)
    items = schema.get("items")
    if schema.get("type") == "array" and isinstance(items, Mapping):
        yield from _fields(items, components, f"{prefix}[]", depth + 1)
        return
    properties: Mapping[str, Any] = schema.get("properties") or {}
    if not properties and prefix:
        yield prefix
    for name, child in properties.items():
        yield from _fields(child, components, f"{prefix}.{name}" if prefix else name, depth + 1)


# --- problems ----------------------------------------------------------------------------------


def _problem_of(error: type[BaseException]) -> problems.ProblemType | None:
    """The problem type the exception handler answers ``error`` with, from its registries."""
    for klass in error.__mro__:
        # The handler's own tables (adapters.platform.rest.problems): DRF's exceptions, then
        # every context's registered domain errors.
        if klass in problems._DRF_PROBLEMS:
            return problems._DRF_PROBLEMS[klass]
        if klass in problems._domain_problems:
            return problems._domain_problems[klass].problem
    if issubclass(error, exceptions.APIException):
        return problems._problem_for_status(int(error.status_code))
    return None


def _problems(
    *,
    audience: str,
    body: Mapping[str, Any],
    idempotent: bool,
    throttles: list[dict[str, str]],
    endpoint: Endpoint,
    raised: tuple[type[BaseException], ...],
) -> dict[str, list[str]]:
    found: list[problems.ProblemType] = [problems.UNAVAILABLE]
    if audience != PUBLIC:
        found.append(problems.NOT_AUTHENTICATED)
    if audience not in (PUBLIC, USER):
        found += [problems.NOT_FOUND]
        if audience != Role.MEMBER.value:
            found.append(problems.PERMISSION_DENIED)
    if endpoint.method in BODY_METHODS:
        found += [problems.MALFORMED, problems.UNSUPPORTED_MEDIA_TYPE]
    if body.get("body") == "json" or "unknown_fields" in body or idempotent:
        found.append(problems.VALIDATION)
    if idempotent:
        found.append(idempotency.KEY_REUSED)
    if throttles:
        found.append(problems.THROTTLED)
    for error in raised:
        problem = _problem_of(error)
        if problem is not None:
            found.append(problem)
    by_status: dict[str, set[str]] = {}
    for problem in found:
        by_status.setdefault(str(problem.status), set()).add(problem.slug)
    return {status: sorted(slugs) for status, slugs in sorted(by_status.items())}
