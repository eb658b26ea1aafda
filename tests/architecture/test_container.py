"""The DI container: every provider resolves, every view's injection is wired."""

from __future__ import annotations

import ast
import inspect
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers, wiring
from dependency_injector.wiring import UnresolvedMarkerWarning
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from adapters.platform.contexts import installed_contexts
from adapters.platform.tenancy import views as tenancy_views
from src.container import ApplicationContainer, build_container
from tests.conftest import unwire


def _api_view_classes() -> Iterator[type[APIView]]:
    def walk(patterns: list[URLPattern | URLResolver]) -> Iterator[type[APIView]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                view_class = getattr(pattern.callback, "view_class", None)
                if isinstance(view_class, type) and issubclass(view_class, APIView):
                    yield view_class

    yield from walk(get_resolver().url_patterns)


def test_building_the_container_leaves_no_marker_unresolved() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnresolvedMarkerWarning)
        container = build_container()
    unwire(container)
    # Rewire the application's own container, which unwire() above detached the views from.
    from src import container as composition

    composition.application = build_container()


@pytest.mark.django_db
def test_every_provider_of_every_container_resolves() -> None:
    container = build_container(wire=False)
    resolved = 0
    for provider in container.traverse(types=[providers.Factory, providers.Singleton]):
        assert isinstance(provider, (providers.Factory, providers.Singleton))
        instance = provider()
        assert isinstance(instance, provider.cls), provider
        resolved += 1
    assert resolved >= 5


def test_every_injected_view_parameter_is_wired() -> None:
    checked = 0
    for view_class in _api_view_classes():
        for method in view_class.http_method_names:
            handler = getattr(view_class, method, None)
            if handler is None or not hasattr(handler, "__wrapped__"):
                continue
            markers = {
                name
                for name, parameter in inspect.signature(handler.__wrapped__).parameters.items()
                if type(parameter.default).__module__ == wiring.__name__  # a Provide[...] marker
            }
            # dependency-injector has no public way to list what it resolved for a function.
            patched = wiring._patched_registry.get_callable(handler)
            injected = set(patched.injections) if patched else set()
            assert markers <= injected, f"{view_class.__name__}.{method}: {markers - injected}"
            checked += len(markers)
    assert checked > 0


def test_wired_modules_keep_markers_in_signatures_not_in_module_constants() -> None:
    """``wire()`` takes a module-level ``X = Provide[...]`` for an attribute injection: it builds
    the service once, at startup, and puts that instance in ``X``. A view that then used ``X``
    would share one service, and its unit of work, across requests."""
    offenders = []
    wired = [module for context in installed_contexts() for module in context.modules_to_wire()]
    for module in [*wired, tenancy_views]:
        tree = ast.parse(Path(inspect.getfile(module)).read_text())
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            if (
                isinstance(value, ast.Subscript)
                and isinstance(value.value, ast.Name)
                and value.value.id == "Provide"
            ):
                offenders.append(f"{module.__name__}:{node.lineno}")
    assert not offenders, f"put these markers in the view signatures: {offenders}"


def test_overriding_a_provider_reaches_the_views(container: ApplicationContainer) -> None:
    from rest_framework.test import APIClient

    class Sentinel(Exception):
        pass

    def explode(**_kwargs: object) -> object:
        raise Sentinel

    login = {"email": "a@b.co", "password": "x"}
    with (
        container.identity.token_service.override(providers.Callable(explode)),
        pytest.raises(Sentinel),
    ):
        APIClient().post("/api/v1/auth/login", login, format="json")
