"""A bounded context describes itself in one place: its AppConfig, derived from ``ContextConfig``.

The composition root (``src/``) builds the application from the installed contexts alone:
INSTALLED_APPS is the only list of contexts. Each context's AppConfig declares, as module paths
relative to its own package (so that nothing is imported before the app registry is ready):

- ``container``: its dependency-injection container (``"container.BillingContainer"``);
- ``wired_modules``: the modules whose ``@inject`` functions resolve against that container
  (its views; its admin, when admin actions call services);
- ``urls``: its URLconf, mounted under ``/api/v1/`` (None: no routes);
- ``problems``: the module whose ``PROBLEMS`` say how its domain errors appear to clients;
- ``demo_data``: the module whose ``seed(container, world)`` loads its demo data (None: none);
- ``subscriptions``: event name → the container's provider of the handler that reacts to it,
  inside the publisher's transaction;
- ``outbox_handlers``: integration event name → the container's provider of the handler
  (``Callable[[Payload], None]``) that reacts to it after the publisher's commit, in a worker,
  at least once; the inbox makes each (event, handler) take effect once. The handler is known
  to the inbox as ``"<label>.<provider>"``: renaming either makes old events look new to it;
- ``route_policies``: the module (beside the context's API tests) that states who may call each
  of its routes, for the route security matrix.

A context that needs another declares a ``providers.Dependency`` in its container; which
context provides it is decided in ``src/container.py`` and nowhere else.

An ``apps.py`` imports this module, not the class (``class XConfig(contexts.ContextConfig)``):
Django uses the AppConfig subclass found in ``apps.py`` only when there is exactly one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Any, ClassVar, Protocol

from dependency_injector import containers
from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured

from adapters.platform.rest.problems import DomainProblem, register_domain_problems


class DemoSeed(Protocol):
    def __call__(self, *, container: Any, world: dict[str, Any]) -> None: ...


class ContextConfig(AppConfig):
    """The Django app of a bounded context (see the module docstring)."""

    container: ClassVar[str]
    wired_modules: ClassVar[tuple[str, ...]] = ("views",)
    urls: ClassVar[str | None] = "urls"
    problems: ClassVar[str] = "problems"
    demo_data: ClassVar[str | None] = None
    subscriptions: ClassVar[Mapping[str, str]] = {}
    outbox_handlers: ClassVar[Mapping[str, str]] = {}
    route_policies: ClassVar[str]

    def ready(self) -> None:
        register_domain_problems(self.problem_mappings())

    def own_module(self, relative: str) -> ModuleType:
        """The module ``relative`` to this app's package (``"views"`` → ``adapters.x.views``)."""
        return import_module(f"{self.name}.{relative}")

    def container_class(self) -> type[containers.DeclarativeContainer]:
        module_name, _, class_name = self.container.rpartition(".")
        container: type[containers.DeclarativeContainer] = getattr(
            self.own_module(module_name), class_name
        )
        return container

    def modules_to_wire(self) -> list[ModuleType]:
        return [self.own_module(name) for name in self.wired_modules]

    def url_module(self) -> str | None:
        return f"{self.name}.{self.urls}" if self.urls else None

    def problem_mappings(self) -> Iterable[DomainProblem]:
        mappings: Iterable[DomainProblem] = self.own_module(self.problems).PROBLEMS
        return mappings

    def demo_seed(self) -> DemoSeed | None:
        if self.demo_data is None:
            return None
        seed: DemoSeed = self.own_module(self.demo_data).seed
        return seed


def installed_contexts() -> list[ContextConfig]:
    """The installed bounded contexts, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, ContextConfig)]


def installed_context(label: str) -> ContextConfig:
    for config in installed_contexts():
        if config.label == label:
            return config
    raise ImproperlyConfigured(f"No bounded context {label!r} is installed.")
