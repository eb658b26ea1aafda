"""Which repository methods a view's handler reaches, and which errors it can raise.

The handler is read, not run: its ``Provide[...]`` defaults name the container providers of its
services, whose ``Factory`` arguments name the concrete adapters (the unit of work, whose
properties' return annotations name the repositories). From there the source of every
first-party function on the way is parsed, calls are followed through the types the
annotations give (``uow = ...``, ``with self._uow as uow``, ``account = uow.accounts.lock(...)``),
and each call that lands on a repository method is recorded with the scope it declares
(adapters.platform.persistence.scopes). Calls the annotations cannot type are not followed: a
trace shows at least what it names, and the checks treat a handler that reaches no repository
at all as nothing to check.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
from rest_framework.views import APIView

from adapters.platform.persistence.scopes import ScopeDeclaration, declared_scope
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork

FIRST_PARTY = ("adapters.", "contexts.", "kernel.", "src.")
REPOSITORY_MODULE_SUFFIX = ".repositories"
_MAX_DEPTH = 8


def is_repository(cls: type[Any]) -> bool:
    """A class of a ``repositories`` module that is not its unit of work."""
    return cls.__module__.endswith(REPOSITORY_MODULE_SUFFIX) and not issubclass(
        cls, DjangoUnitOfWork
    )


@attrs.frozen
class RepositoryCall:
    """One call, on the way from a handler, of a repository method."""

    caller: str  # "InvoiceService.pay"
    repository: type[Any]
    method: str
    declaration: ScopeDeclaration | None

    @property
    def name(self) -> str:
        return f"{self.repository.__qualname__}.{self.method}"


@attrs.frozen
class Trace:
    """What a handler reaches: the service methods it calls, the repository methods they call,
    and every exception class raised on the way."""

    services: tuple[str, ...]
    repository_calls: tuple[RepositoryCall, ...]
    raises: tuple[type[BaseException], ...]


@attrs.frozen
class _Instance:
    """A value the trace knows the class of, with the instances its attributes hold."""

    cls: type[Any]
    attributes: Mapping[str, _Instance] = attrs.field(factory=dict)


def _first_party(obj: object) -> bool:
    return str(getattr(obj, "__module__", "")).startswith(FIRST_PARTY)


def _instance_of_provider(provider: object) -> _Instance | None:
    """The instance a container provider makes (a ``Factory`` of a class), with the
    instances its keyword arguments give the class's ``__init__``."""
    cls = getattr(provider, "cls", None)
    if not isinstance(cls, type):
        return None
    kwargs: Mapping[str, object] = getattr(provider, "kwargs", {}) or {}
    arguments = {
        name: instance
        for name, value in kwargs.items()
        if (instance := _instance_of_provider(value)) is not None
    }
    return _Instance(cls, _stored_attributes(cls, arguments))


def _stored_attributes(cls: type[Any], arguments: Mapping[str, _Instance]) -> dict[str, _Instance]:
    """``self._uow = uow`` in ``__init__``: the attribute gets the argument's instance (or,
    without one, an instance of the parameter's annotated class)."""
    init = cls.__dict__.get("__init__")
    tree = _parse(init) if init is not None else None
    if tree is None:
        return {}
    hints = _hints(init)
    stored: dict[str, _Instance] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Name)):
            continue
        for target in node.targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                parameter = node.value.id
                known = arguments.get(parameter)
                hinted = _class_of_hint(hints.get(parameter))
                if known is not None:
                    stored[target.attr] = known
                elif hinted is not None:
                    stored[target.attr] = _Instance(hinted)
    return stored


@functools.cache
def _parse(function: Callable[..., Any]) -> ast.AST | None:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    return ast.parse(textwrap.dedent(source))


def _hints(function: object) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function)
    except Exception:  # an annotation that cannot be evaluated types nothing
        return {}


def _class_of_hint(hint: object) -> type[Any] | None:
    """The class an annotation names: ``X``, ``X | None`` (→ X), ``Page[X]`` (→ Page)."""
    if hint is None or hint is type(None):
        return None
    if isinstance(hint, type):
        return hint
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        for argument in typing.get_args(hint):
            found = _class_of_hint(argument)
            if found is not None:
                return found
        return None
    origin = typing.get_origin(hint)
    return origin if isinstance(origin, type) else None


def _function_of(cls: type[Any], name: str) -> Callable[..., Any] | None:
    try:
        attribute = inspect.getattr_static(cls, name)
    except AttributeError:
        return None
    if isinstance(attribute, (staticmethod, classmethod)):
        attribute = attribute.__func__
    if isinstance(attribute, property):
        return None
    return inspect.unwrap(attribute) if inspect.isfunction(attribute) else None


class _Tracer:
    def __init__(self) -> None:
        self.services: dict[str, None] = {}
        self.repository_calls: dict[tuple[str, str, str], RepositoryCall] = {}
        self.raises: dict[type[BaseException], None] = {}
        self._visited: set[tuple[object, bool]] = set()

    def function(
        self,
        function: Callable[..., Any],
        env: dict[str, _Instance],
        *,
        caller: str,
        depth: int = 0,
        in_repository: bool = False,
    ) -> None:
        key = (function, in_repository)
        if depth > _MAX_DEPTH or key in self._visited:
            return
        self._visited.add(key)
        tree = _parse(function)
        if tree is None:
            return
        _Visitor(
            self, function, env=env, caller=caller, depth=depth, in_repository=in_repository
        ).visit(tree)

    def call(
        self,
        instance: _Instance | None,
        function: Callable[..., Any],
        *,
        caller: str,
        depth: int,
        in_repository: bool,
    ) -> None:
        owner = instance.cls if instance is not None else None
        name = function.__name__
        if owner is not None and is_repository(owner) and not in_repository:
            call = RepositoryCall(caller, owner, name, declared_scope(function))
            self.repository_calls.setdefault((caller, call.name, ""), call)
            in_repository = True  # its own helpers are its business: only its raises count
        env = self._parameters(function)
        if instance is not None:
            env["self"] = instance
        label = f"{owner.__qualname__}.{name}" if owner is not None else function.__qualname__
        self.function(function, env, caller=label, depth=depth + 1, in_repository=in_repository)

    @staticmethod
    def _parameters(function: Callable[..., Any]) -> dict[str, _Instance]:
        return {
            name: _Instance(cls)
            for name, hint in _hints(function).items()
            if name != "return" and (cls := _class_of_hint(hint)) is not None and _first_party(cls)
        }


class _Visitor(ast.NodeVisitor):
    """Walks one function in source order, typing names as it binds them."""

    def __init__(
        self,
        tracer: _Tracer,
        function: Callable[..., Any],
        *,
        env: dict[str, _Instance],
        caller: str,
        depth: int,
        in_repository: bool,
    ) -> None:
        self.tracer = tracer
        self.globals: Mapping[str, Any] = getattr(function, "__globals__", {})
        self.env = dict(env)
        self.caller = caller
        self.depth = depth
        self.in_repository = in_repository

    # bindings

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        value = self.type_of(node.value)
        for target in node.targets:
            if isinstance(target, ast.Name) and value is not None:
                self.env[target.id] = value

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            bound = self.type_of(item.context_expr)
            if isinstance(item.optional_vars, ast.Name) and bound is not None:
                self.env[item.optional_vars.id] = bound  # units of work enter as themselves
        for statement in node.body:
            self.visit(statement)

    # what is reached

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        target = self.callee(node.func)
        if target is not None:
            instance, function = target
            self.tracer.call(
                instance,
                function,
                caller=self.caller,
                depth=self.depth,
                in_repository=self.in_repository,
            )

    def visit_Raise(self, node: ast.Raise) -> None:
        self.generic_visit(node)
        raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        error = self.constant(raised) if raised is not None else None
        if isinstance(error, type) and issubclass(error, BaseException):
            self.tracer.raises.setdefault(error, None)

    # typing

    def constant(self, node: ast.expr) -> object:
        """A module-level name (or a dotted attribute of one) of the function's module."""
        if isinstance(node, ast.Name):
            return self.globals.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.constant(node.value)
            return getattr(base, node.attr, None) if base is not None else None
        return None

    def callee(self, func: ast.expr) -> tuple[_Instance | None, Callable[..., Any]] | None:
        if isinstance(func, ast.Attribute):
            base = self.type_of(func.value)
            if base is None or not _first_party(base.cls):
                return None
            function = _function_of(base.cls, func.attr)
            return (base, function) if function is not None else None
        if isinstance(func, ast.Name) and func.id not in self.env:
            found = self.globals.get(func.id)
            if inspect.isfunction(found) and _first_party(found):
                return None, inspect.unwrap(found)
        return None

    def type_of(self, node: ast.expr) -> _Instance | None:
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.type_of(node.value)
            return _attribute(base, node.attr) if base is not None else None
        if isinstance(node, ast.Call):
            target = self.callee(node.func)
            if target is None:
                return None
            instance, function = target
            hint = _hints(function).get("return")
            if hint is typing.Self and instance is not None:
                return instance
            returned = _class_of_hint(hint)
            return _Instance(returned) if returned is not None and _first_party(returned) else None
        return None


def _attribute(base: _Instance, name: str) -> _Instance | None:
    if name in base.attributes:
        return base.attributes[name]
    try:
        attribute = inspect.getattr_static(base.cls, name)
    except AttributeError:
        return None
    if isinstance(attribute, property) and attribute.fget is not None:
        returned = _class_of_hint(_hints(attribute.fget).get("return"))
        return _Instance(returned) if returned is not None else None
    return None


def _handler(view: type[APIView], method: str) -> Callable[..., Any] | None:
    handler = getattr(view, method.lower(), None)
    return inspect.unwrap(handler) if callable(handler) else None


def trace_handler(view: type[APIView], method: str) -> Trace:
    """What ``view``'s handler of ``method`` reaches (see the module docstring)."""
    handler = _handler(view, method)
    tracer = _Tracer()
    if handler is not None:
        env = {"self": _Instance(view)}
        for name, parameter in inspect.signature(handler).parameters.items():
            provided = _instance_of_provider(getattr(parameter.default, "provider", None))
            if provided is not None:
                env[name] = provided
        for name, instance in env.items():
            if name != "self":
                tracer.services.setdefault(instance.cls.__qualname__, None)
        tracer.function(handler, env, caller=f"{view.__qualname__}.{method.lower()}")
    services = tuple(_service_methods(tracer))
    return Trace(
        services=services,
        repository_calls=tuple(tracer.repository_calls.values()),
        raises=tuple(tracer.raises),
    )


def _service_methods(tracer: _Tracer) -> Iterator[str]:
    # The service methods are the callers of the first hop: those named after a service class.
    seen: dict[str, None] = {}
    for call in tracer.repository_calls.values():
        if call.caller.split(".", 1)[0] in tracer.services:
            seen.setdefault(call.caller, None)
    yield from seen
