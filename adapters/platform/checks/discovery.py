"""What the creed checks look at: first-party models, serializers and views, and the API as
drf-spectacular sees it. "First-party" means defined under ``adapters.`` or ``src.``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import AppConfig, apps
from django.core import checks
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers
from rest_framework.views import APIView

FIRST_PARTY_PREFIXES = ("adapters.", "src.")

# Tables big enough that an admin <select> listing every row would be slow or leak data, as
# "app_label.ModelName". The user model (settings.AUTH_USER_MODEL) is always one of them.
BODY_METHODS = ("POST", "PUT", "PATCH")

Messages = list[checks.CheckMessage]
SerializerClass = type[serializers.BaseSerializer[Any]]


def is_first_party(obj: object) -> bool:
    """Defined in first-party code (a class, or a function)."""
    return str(getattr(obj, "__module__", "")).startswith(FIRST_PARTY_PREFIXES)


def is_first_party_model(model: type[models.Model]) -> bool:
    """Belongs to a first-party app (whatever module the class was written in)."""
    return model._meta.app_config.name.startswith(FIRST_PARTY_PREFIXES)


def first_party_models(app_configs: Sequence[AppConfig] | None = None) -> list[type[models.Model]]:
    configs = apps.get_app_configs() if app_configs is None else app_configs
    return [
        model
        for config in configs
        if config.name.startswith(FIRST_PARTY_PREFIXES)
        for model in config.get_models()
    ]


def _subclasses(root: type[Any]) -> Iterator[type[Any]]:
    for subclass in root.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def first_party_serializers() -> list[SerializerClass]:
    # Serializers are found as subclasses, so a module nothing imports yet would hide its own:
    # import every app's serializers and views modules first (as the admin imports admin.py).
    autodiscover_modules("serializers", "views")
    return sorted(
        {cls for cls in _subclasses(serializers.BaseSerializer) if is_first_party(cls)},
        key=lambda cls: (cls.__module__, cls.__qualname__),
    )


def url_views(
    patterns: Sequence[URLPattern | URLResolver] | None = None, *, first_party_only: bool = True
) -> list[type[APIView]]:
    """The DRF views the URLconf (or ``patterns``) routes to, each once, in URLconf order."""
    found: dict[type[APIView], None] = {}

    def walk(entries: Iterable[URLPattern | URLResolver]) -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
                continue
            callback = entry.callback
            view: object = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            if not (isinstance(view, type) and issubclass(view, APIView)):
                continue
            if is_first_party(view) or not first_party_only:
                found[view] = None

    walk(get_resolver().url_patterns if patterns is None else patterns)
    return list(found)


def first_party_views() -> list[type[APIView]]:
    """Routed views first, then any other first-party DRF view (every app's views module is
    imported first): a view not routed yet is still checked before someone routes it."""
    routed = url_views()
    autodiscover_modules("views")
    others = sorted(
        (
            view
            for view in _subclasses(APIView)
            if is_first_party(view) and view not in routed and _handles_requests(view)
        ),
        key=lambda view: (view.__module__, view.__qualname__),
    )
    return [*routed, *others]


def _handles_requests(view: type[APIView]) -> bool:
    # Base classes that only share configuration (no handler of their own) are not endpoints.
    return any(method in vars(view) for method in ("get", "post", "put", "patch", "delete"))


# --- the API as drf-spectacular sees it -----------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One operation of the API: who serves it, its OpenAPI operation, its request body."""

    view_class: type[APIView]
    method: str
    path: str
    operation: Mapping[str, Any] | None
    request_body: Any = None  # what the schema declares: a serializer (class), dict, type, ...


@dataclass(frozen=True)
class InspectedApi:
    endpoints: tuple[Endpoint, ...] = ()
    components: Mapping[str, Any] = field(default_factory=dict)
    failure: str | None = None  # why the schema could not be built, if it could not


def inspect_api(
    patterns: Sequence[URLPattern | URLResolver] | None = None, *, first_party_only: bool = True
) -> InspectedApi:
    """Build every operation of the schema once, keeping which view and request body made it.

    ``SchemaGenerator.get_schema`` returns a bare document that no longer says which view
    answers a path, so this drives the same public pieces (endpoint enumerator, ``create_view``,
    ``AutoSchema.get_operation``) one endpoint at a time. Generator warnings are silenced here:
    ``manage.py spectacular --validate --fail-on-warn`` reports them.
    """
    prefix = spectacular_settings.SCHEMA_PATH_PREFIX or "/"
    prefix = prefix if prefix.startswith("^") else f"^{prefix}"
    endpoints: list[Endpoint] = []
    current = "the endpoint list"
    try:
        with GENERATOR_STATS.silence():
            # drf-spectacular ships py.typed but leaves the generator unannotated: used as Any.
            generator: Any = SchemaGenerator(patterns=patterns)  # type: ignore[no-untyped-call]  # unannotated __init__
            enumerator: Any = EndpointEnumerator(patterns)
            for path, path_regex, method, callback in enumerator.get_api_endpoints():
                if first_party_only and not is_first_party(callback.cls):
                    continue
                current = f"{callback.cls.__qualname__} ({method} {path})"
                view = generator.create_view(callback, method)
                view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
                schema = view.schema  # keep it: a view without @extend_schema builds a new one
                operation = schema.get_operation(
                    path, path_regex, prefix, method, generator.registry
                )
                body = schema.get_request_serializer() if method in BODY_METHODS else None
                endpoints.append(Endpoint(callback.cls, method, path, operation, body))
            current = "the components"
            components = generator.registry.build({})
    except Exception as error:  # any failure is reported as bastion.E111
        return InspectedApi(failure=f"{current}: {type(error).__name__}: {error}")
    return InspectedApi(tuple(endpoints), components.get("schemas", {}))


@functools.lru_cache(maxsize=2)
def _inspect_resolver(resolver: URLResolver) -> InspectedApi:
    return inspect_api(resolver.url_patterns)


def project_api() -> InspectedApi:
    """The first-party API of the current URLconf, built once per URLconf (``get_resolver``
    gives a new resolver whenever the URLconf changes, e.g. under ``override_settings``)."""
    return _inspect_resolver(get_resolver())
