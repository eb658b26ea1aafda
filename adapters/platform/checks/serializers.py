"""E103, E110, E111: serializers whitelist their fields, and every request body is strict
(creed 4)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from drf_spectacular.utils import OpenApiRequest, PolymorphicProxySerializer
from rest_framework import serializers

from adapters.platform.checks.discovery import (
    InspectedApi,
    Messages,
    SerializerClass,
    first_party_serializers,
    project_api,
)
from adapters.platform.rest.serializers import StrictInputSerializer

INPUT_SUFFIXES = ("Input", "InputSerializer")

# --- E103: ModelSerializers list their fields -----------------------------------------------------


@checks.register(checks.Tags.security)
def check_model_serializers_list_fields(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    serializer_classes: Iterable[SerializerClass] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 4: serializers whitelist their fields. ``__all__`` and ``exclude`` expose (or
    accept) every column added to the model later — password hashes, flags, foreign keys."""
    messages: Messages = []
    candidates = first_party_serializers() if serializer_classes is None else serializer_classes
    for serializer in candidates:
        meta = getattr(serializer, "Meta", None)
        if not issubclass(serializer, serializers.ModelSerializer) or meta is None:
            continue
        if getattr(meta, "fields", None) == serializers.ALL_FIELDS:
            problem = 'fields = "__all__"'
        elif getattr(meta, "exclude", None) is not None:
            problem = "exclude"
        else:
            continue
        messages.append(
            checks.Error(
                f"{serializer.__qualname__} uses Meta.{problem}.",
                hint="List the fields explicitly in Meta.fields: a column added to the model "
                "later must not appear in (or be writable through) the API by accident.",
                obj=serializer,
                id="bastion.E103",
            )
        )
    return messages


# --- E110, E111: write serializers are strict -----------------------------------------------------


def _declared_serializers(declared: Any) -> Iterator[serializers.BaseSerializer[Any] | type[Any]]:
    """The serializers (classes or instances) a request body declaration stands for."""
    if isinstance(declared, OpenApiRequest):
        yield from _declared_serializers(declared.request)
    elif isinstance(declared, PolymorphicProxySerializer):
        options = declared.serializers
        options = options() if callable(options) else options
        for option in options.values() if isinstance(options, dict) else options:
            yield from _declared_serializers(option)
    elif isinstance(declared, dict):
        for value in declared.values():
            yield from _declared_serializers(value)
    elif isinstance(declared, serializers.ListSerializer):
        yield from _declared_serializers(declared.child)
    elif isinstance(declared, serializers.BaseSerializer) or (
        isinstance(declared, type) and issubclass(declared, serializers.BaseSerializer)
    ):
        yield declared


def _writable_nested(
    serializer: serializers.BaseSerializer[Any] | type[Any],
) -> Iterator[tuple[str, serializers.BaseSerializer[Any]]]:
    """(field name, serializer) of the writable serializer fields nested in ``serializer``."""
    instance = serializer
    if isinstance(serializer, type):
        try:
            instance = serializer()
        except Exception:  # needs constructor arguments: nothing to inspect
            return
    for name, declared in getattr(instance, "fields", {}).items():
        nested = getattr(declared, "child", declared)  # ListSerializer, ListField, DictField
        if isinstance(nested, serializers.BaseSerializer) and not declared.read_only:
            yield name, nested


def _request_bodies(api: InspectedApi) -> dict[type[Any], list[str]]:
    """Every serializer class a request body is made of, with where it is used."""
    used: dict[type[Any], list[str]] = {}
    for endpoint in api.endpoints:
        where = f"{endpoint.method} {endpoint.path} ({endpoint.view_class.__qualname__})"
        pending = [(item, where) for item in _declared_serializers(endpoint.request_body)]
        seen: set[type[Any]] = set()
        while pending:
            item, place = pending.pop()
            cls = item if isinstance(item, type) else type(item)
            if cls in seen:
                continue
            seen.add(cls)
            used.setdefault(cls, []).append(place)
            pending += [(sub, f"field {name!r} in {place}") for name, sub in _writable_nested(item)]
    return used


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_write_serializers_are_strict(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    api: InspectedApi | None = None,
    serializer_classes: Iterable[SerializerClass] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 4: a write payload with an unknown or read-only field is a 400, not silently
    ignored (DRF's default). A serializer must derive from StrictInputSerializer when it is
    (a) the request body of a first-party endpoint in the schema — the ``request=`` of
    ``@extend_schema`` or the view's serializer — or nested writable in one, or (b) a
    first-party serializer named ``*Input``/``*InputSerializer``, which covers input validated
    by a view that forgot to document its body."""
    api = project_api() if api is None else api
    used = _request_bodies(api)
    for serializer in (
        first_party_serializers() if serializer_classes is None else serializer_classes
    ):
        if serializer.__name__.endswith(INPUT_SUFFIXES):
            used.setdefault(serializer, []).append("named as an input serializer")
    return [
        checks.Error(
            f"{serializer.__qualname__} does not derive from StrictInputSerializer, but it "
            f"reads client input: {'; '.join(places)}.",
            hint="Derive it from adapters.platform.rest.serializers.StrictInputSerializer (with "
            "the Strict*Field types), so that an unknown or read-only field is a 400 naming it.",
            obj=serializer,
            id="bastion.E110",
        )
        for serializer, places in used.items()
        if not issubclass(serializer, StrictInputSerializer)
    ]


@checks.register(checks.Tags.urls)
def check_api_schema_builds(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    api: InspectedApi | None = None,
    **_kwargs: Any,
) -> Messages:
    """The pagination (E108) and strict-input (E110) checks read the OpenAPI schema: if it
    cannot be built, say so rather than pass silently."""
    api = project_api() if api is None else api
    if api.failure is None:
        return []
    return [
        checks.Error(
            f"The API schema could not be built, so bastion.E108 and bastion.E110 did not run: "
            f"{api.failure}",
            hint="Run `manage.py spectacular --validate` to see which view fails, and fix it "
            "(a get_queryset() needing request.user must honour swagger_fake_view).",
            id="bastion.E111",
        )
    ]
