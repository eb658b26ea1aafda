"""Every bounded context has the one shape (docs/adding-a-context.md, "The shape of a context").

A reader who knows one context knows all: the same files, the same names in the AppConfig,
the error base, the services and the public API written the same way. This test holds the
mechanical parts of that rule for every installed context, so a new or reshaped context that
drifts fails here with the file and the rule it broke.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any, get_type_hints

import pytest
from dependency_injector import providers

from adapters.platform.contexts import ContextConfig, installed_contexts
from adapters.platform.rest.problems import DomainProblem
from kernel.actors import Actor
from kernel.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]

# The files every context has; a context may add modules of its own beside them.
CONTEXT_FILES = (
    "__init__.py",
    "api.py",
    "application/__init__.py",
    "application/ports.py",
    "application/services.py",
    "domain/__init__.py",
    "domain/model.py",
    "domain/errors.py",
)
ADAPTER_FILES = (
    "__init__.py",
    "apps.py",
    "container.py",
    "models.py",
    "repositories.py",
    "views.py",
    "urls.py",
    "problems.py",
    "admin.py",
    "migrations/__init__.py",
)
TEST_FILES = ("unit/{}/__init__.py", "integration/{}/__init__.py", "api/{}/route_policies.py")
# The layers' vocabulary: what else a domain or an application package may hold.
LAYER_MODULES = {
    "domain": {"__init__", "model", "errors", "events"},
    "application": {"__init__", "ports", "services", "handlers"},
}

CONTEXTS = installed_contexts()


def camel(label: str) -> str:
    return "".join(part.capitalize() for part in label.split("_"))


def context_module(config: ContextConfig, relative: str) -> ModuleType:
    return import_module(f"contexts.{config.label}.{relative}")


def defined_here(module: ModuleType) -> list[type[Any]]:
    """The public classes the module defines (not those it imports)."""
    return [
        value
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__ == module.__name__ and name[0] != "_"
    ]


def public_methods(cls: type[Any]) -> list[tuple[str, Any]]:
    return [
        (name, member)
        for name, member in vars(cls).items()
        if inspect.isfunction(member) and (name == "__init__" or not name.startswith("_"))
    ]


def positional_parameters(function: Any) -> list[str]:
    """Parameters besides ``self`` that a caller may pass by position."""
    parameters = list(inspect.signature(function).parameters.values())[1:]
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [parameter.name for parameter in parameters if parameter.kind in positional]


def ids() -> list[str]:
    return [config.label for config in CONTEXTS]


pytestmark = pytest.mark.parametrize("config", CONTEXTS, ids=ids())


def test_a_context_has_the_files_of_every_context(config: ContextConfig) -> None:
    missing = [
        f"contexts/{config.label}/{name}"
        for name in CONTEXT_FILES
        if not (ROOT / "contexts" / config.label / name).is_file()
    ]
    missing += [
        f"adapters/{config.label}/{name}"
        for name in ADAPTER_FILES
        if not (ROOT / "adapters" / config.label / name).is_file()
    ]
    missing += [
        f"tests/{pattern.format(config.label)}"
        for pattern in TEST_FILES
        if not (ROOT / "tests" / pattern.format(config.label)).is_file()
    ]
    assert not missing, f"{config.label} lacks what every context has: {missing}"


def test_its_layers_hold_only_the_modules_of_the_vocabulary(config: ContextConfig) -> None:
    strays = [
        f"contexts/{config.label}/{layer}/{path.name}"
        for layer, allowed in LAYER_MODULES.items()
        for path in (ROOT / "contexts" / config.label / layer).glob("*.py")
        if path.stem not in allowed
    ]
    assert not strays, (
        f"{strays}: a layer holds {sorted(LAYER_MODULES)} modules named "
        f"{LAYER_MODULES}; put the code in one of them (or extend the vocabulary here and in "
        "docs/adding-a-context.md, for every context)"
    )


def test_its_app_config_declares_the_names_of_the_shape(config: ContextConfig) -> None:
    name = camel(config.label)
    assert type(config).__name__ == f"{name}Config"
    assert config.name == f"adapters.{config.label}"
    assert config.container == f"container.{name}Container"
    assert config.route_policies == f"tests.api.{config.label}.route_policies"
    assert config.container_class().__name__ == f"{name}Container"
    assert all(isinstance(problem, DomainProblem) for problem in config.problem_mappings())
    for module in config.modules_to_wire():
        assert module.__name__.startswith(f"{config.name}.")
    if config.url_module():
        assert hasattr(import_module(config.url_module() or ""), "urlpatterns")
    container = config.container_class()
    for event, provider in config.subscriptions.items():
        assert isinstance(getattr(container, provider, None), providers.Provider), (
            f"{config.label} subscribes {provider!r} to {event!r}: its container has no such "
            "provider"
        )
    for event, provider in config.outbox_handlers.items():
        assert isinstance(getattr(container, provider, None), providers.Provider), (
            f"{config.label} handles {event!r} from the outbox with {provider!r}: its "
            "container has no such provider"
        )
    seed = config.demo_seed()
    if seed is not None:
        assert not positional_parameters_of_function(seed), "seed(*, container, world)"


def positional_parameters_of_function(function: Any) -> list[str]:
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [
        parameter.name
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind in positional
    ]


def test_its_errors_derive_from_one_base_named_after_it(config: ContextConfig) -> None:
    """One ``<Singular>Error(DomainError)`` (``BillingError``, ``OrganizationError``,
    ``PersonError`` for ``people``) that every other error of the context derives from."""
    errors = context_module(config, "domain.errors")
    where = f"contexts/{config.label}/domain/errors.py"
    exceptions = [cls for cls in defined_here(errors) if issubclass(cls, Exception)]
    roots = [cls for cls in exceptions if DomainError in cls.__bases__]
    assert len(roots) == 1, f"{where}: one error base derives from DomainError, not {roots}"
    base = roots[0]
    assert base.__name__.endswith("Error"), f"{where}: the base is named <Singular>Error"
    strays = [cls.__name__ for cls in exceptions if not issubclass(cls, base)]
    assert not strays, f"{strays} in {where}: derive from {base.__name__}"


def test_its_services_take_keyword_arguments_an_actor_and_typed_ids(
    config: ContextConfig,
) -> None:
    services = context_module(config, "application.services")
    classes = [cls for cls in defined_here(services) if not hasattr(cls, "__attrs_attrs__")]
    assert classes, f"contexts/{config.label}/application/services.py defines no service"
    problems: list[str] = []
    for cls in classes:
        if not cls.__name__.endswith("Service"):
            problems.append(f"{cls.__name__}: a service is named <What it manages>Service")
        for name, method in public_methods(cls):
            where = f"{cls.__name__}.{name}"
            problems += _signature_problems(where, method)
    assert not problems, "\n".join(problems)


def test_its_api_is_one_class_over_its_services(config: ContextConfig) -> None:
    api = context_module(config, "api")
    services = context_module(config, "application.services")
    name = f"{camel(config.label)}Api"
    cls = getattr(api, name, None)
    assert inspect.isclass(cls), f"contexts/{config.label}/api.py must define {name}"
    problems: list[str] = []
    for parameter, hint in get_type_hints(cls.__init__).items():
        if parameter == "return":
            continue
        # Callable[[], SomeService]: a provider of one of the context's own services.
        service = (getattr(hint, "__args__", None) or (hint,))[-1]
        if getattr(service, "__module__", None) != services.__name__:
            problems.append(f"{name}.__init__({parameter}): the API reaches only services")
    for method_name, method in public_methods(cls):
        problems += _signature_problems(f"{name}.{method_name}", method)
    assert not problems, "\n".join(problems)


def _signature_problems(where: str, function: Any) -> list[str]:
    problems: list[str] = []
    if positional_parameters(function):
        problems.append(
            f"{where}: arguments are keyword-only (def {function.__name__}(self, *, ...))"
        )
    hints = get_type_hints(function)
    for parameter, hint in hints.items():
        if parameter == "return":
            continue
        if hint is Actor and parameter != "actor":
            problems.append(f"{where}: the acting user is the parameter `actor: Actor`")
        if parameter == "actor" and hint is not Actor:
            problems.append(f"{where}: `actor` is an Actor (kernel/actors.py)")
        if parameter in {"actor_id", "acting_user_id"}:
            problems.append(f"{where}: pass the `actor: Actor`, not its id")
        if parameter.endswith("_id") and not hasattr(hint, "__supertype__"):
            problems.append(f"{where}: {parameter} is a typed id (a NewType), not {hint!r}")
    return problems
