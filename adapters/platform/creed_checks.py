"""System checks that enforce the creed (``manage.py check``, hence ``make check``).

Each rule of the creed that code can get wrong silently has a check with a stable id:

- bastion.E101  every first-party model is registered in the admin site
- bastion.E102  every first-party model defines its own ``__str__``
- bastion.E103  no ModelSerializer uses ``fields = "__all__"`` or ``exclude``
- bastion.E104  ``AllowAny`` only on views marked ``@public`` (on the class itself)
- bastion.E105  no view with ``permission_classes = []``
- bastion.E106  a view's paginator caps the page size
- bastion.E107  a ``ListModelMixin`` view is paginated
- bastion.E108  no GET answers 200 with a bare JSON array
- bastion.E109  admin foreign keys to large tables use raw_id_fields/autocomplete_fields
- bastion.E110  every request body (and every ``*Input`` serializer) is a StrictInputSerializer
- bastion.E111  the API schema builds, so that E108 and E110 can run

"First-party" means defined under ``adapters.`` or ``src.``. Every check function also takes
explicit inputs (models, views, serializers, an admin site, an inspected API), checked as given,
so that tests can feed it a deliberately bad example without patching the project.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core import checks
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiRequest, PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import (
    BasePagination,
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)
from rest_framework.permissions import AllowAny, OperandHolder, SingleOperandHolder
from rest_framework.views import APIView

from adapters.platform.permissions import PUBLIC_MARKER, is_public
from adapters.platform.serializers import StrictInputSerializer

FIRST_PARTY_PREFIXES = ("adapters.", "src.")

# Tables big enough that an admin <select> listing every row would be slow or leak data, as
# "app_label.ModelName". The user model (settings.AUTH_USER_MODEL) is always one of them.
LARGE_TABLES: frozenset[str] = frozenset()

BODY_METHODS = ("POST", "PUT", "PATCH")
INPUT_SUFFIXES = ("Input", "InputSerializer")

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


# --- E101, E102: admin and __str__ for every model ------------------------------------------------


@checks.register(checks.Tags.admin, checks.Tags.models)
def check_models_have_admin(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    model_classes: Iterable[type[models.Model]] | None = None,
    site: admin.AdminSite | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 7: every model has a ModelAdmin, so operators can inspect and fix data without SQL
    (and without a shell on a production box)."""
    site = admin.site if site is None else site
    candidates = first_party_models(app_configs) if model_classes is None else model_classes
    return [
        checks.Error(
            f"Model {model._meta.label} is not registered in the admin site.",
            hint=f"Register a ModelAdmin for it in {model._meta.app_config.name}.admin with "
            "list_display, search_fields, list_filter, read-only audit fields, and "
            "raw_id_fields or autocomplete_fields for foreign keys to large tables.",
            obj=model,
            id="bastion.E101",
        )
        for model in candidates
        if not site.is_registered(model)
    ]


def _str_owner(model: type[models.Model]) -> type[Any]:
    return next(cls for cls in model.__mro__ if "__str__" in vars(cls))


@checks.register(checks.Tags.models)
def check_models_define_str(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    model_classes: Iterable[type[models.Model]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 7: every model has an informative ``__str__``; Django's "Membership object (3)"
    (or AbstractBaseUser's bare username) says nothing in the admin, in logs or in a shell.
    The model itself or a first-party base class must define it."""
    messages: Messages = []
    for model in first_party_models(app_configs) if model_classes is None else model_classes:
        owner = _str_owner(model)
        if owner is model or is_first_party(owner):
            continue
        messages.append(
            checks.Error(
                f"Model {model._meta.label} has no __str__ of its own "
                f"(it inherits {owner.__module__}.{owner.__qualname__}.__str__).",
                hint="Define __str__ on the model (or on a first-party abstract base) returning "
                "what a person recognizes it by, e.g. its name or email and its id.",
                obj=model,
                id="bastion.E102",
            )
        )
    return messages


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


# --- E104, E105: default deny ---------------------------------------------------------------------


def _permission_leaves(entry: object) -> Iterator[object]:
    """The permission classes inside ``entry``, also when composed with ``|``, ``&`` or ``~``."""
    if isinstance(entry, OperandHolder):
        yield from _permission_leaves(entry.op1_class)
        yield from _permission_leaves(entry.op2_class)
    elif isinstance(entry, SingleOperandHolder):
        yield from _permission_leaves(entry.op1_class)
    else:
        yield entry


def _marked_public(view: type[APIView]) -> bool:
    """``@public`` on the class itself: a subclass does not inherit its parent's decision."""
    return is_public(view) and PUBLIC_MARKER in vars(view)


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_view_permissions(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    views: Iterable[type[APIView]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 1, default deny: a routed view keeps the default (IsAuthenticated) or declares its
    permissions; ``AllowAny`` appears only on views marked ``@public``, so that an anonymous
    endpoint is always a visible decision, never a forgotten or inherited attribute."""
    messages: Messages = []
    for view in first_party_views() if views is None else views:
        if _marked_public(view):
            continue
        declared = list(view.permission_classes)
        if not declared:
            messages.append(
                checks.Error(
                    f"{view.__qualname__} has permission_classes = [], which lets every "
                    "request through.",
                    hint="Drop the override to keep the default (IsAuthenticated), declare the "
                    "permission classes that apply, or mark the view @public "
                    "(adapters.platform.permissions) if anonymous access is intended.",
                    obj=view,
                    id="bastion.E105",
                )
            )
            continue
        allow_any = sorted(
            {
                leaf.__name__
                for entry in declared
                for leaf in _permission_leaves(entry)
                if isinstance(leaf, type) and issubclass(leaf, AllowAny)
            }
        )
        if allow_any:
            inherited = " (it inherits @public, which does not count)" if is_public(view) else ""
            messages.append(
                checks.Error(
                    f"{view.__qualname__} allows anonymous access ({', '.join(allow_any)}) but "
                    f"is not marked @public{inherited}.",
                    hint="If the endpoint is meant to be anonymous, decorate the class itself "
                    "with @public (adapters.platform.permissions); otherwise remove AllowAny and "
                    "keep the default IsAuthenticated or declare the permissions that apply.",
                    obj=view,
                    id="bastion.E104",
                )
            )
    return messages


# --- E112: views do not query -----------------------------------------------------------


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_views_do_not_query(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    views: Iterable[type[APIView]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 2, object-level access: a view that carries a queryset (DRF's generic views)
    reads whatever it matches, unscoped unless someone remembered to filter. Reads go through
    a service whose repository scopes the query by the actor or tenant; import-linter keeps
    view modules from importing models, and this catches querysets reached any other way."""
    messages: Messages = []
    for view in first_party_views() if views is None else views:
        if getattr(view, "queryset", None) is not None or "get_queryset" in vars(view):
            messages.append(
                checks.Error(
                    f"{view.__qualname__} queries the database itself (queryset / "
                    "get_queryset), outside any repository's tenant scoping.",
                    hint="Call a service method instead, and let its repository filter by the "
                    "acting user or organization in the query (see adapters/billing/"
                    "repositories.py); views map entities with compile_mapper.",
                    obj=view,
                    id="bastion.E112",
                )
            )
    return messages


# --- E106, E107, E108: lists are paginated, with a cap --------------------------------------------

_PAGINATION_HINT = (
    "Return a keyset page through adapters.platform.pagination (page_request(request), then "
    "paginated_response(...); document it with paginated(ItemOutput)), which clamps page_size "
    "to PAGE_SIZE_MAX"
)


def _uncapped(paginator: type[BasePagination]) -> str | None:
    """Why ``paginator`` lets a client ask for an unbounded page (None: it does not)."""
    if issubclass(paginator, LimitOffsetPagination):
        return None if paginator.max_limit is not None else "max_limit is None"
    if issubclass(paginator, (PageNumberPagination, CursorPagination)):
        if paginator.page_size is None:
            return "page_size is None, so nothing is paginated"
        # max_page_size only matters when clients may choose the size (page_size_query_param).
        if paginator.page_size_query_param and paginator.max_page_size is None:
            return f"?{paginator.page_size_query_param}= is not capped (max_page_size is None)"
        return None
    caps = (getattr(paginator, name, None) for name in ("max_page_size", "max_limit"))
    return None if any(cap is not None for cap in caps) else "it declares no max_page_size"


def _bare_array(schema: Mapping[str, Any], components: Mapping[str, Any]) -> bool:
    reference = str(schema.get("$ref", ""))
    if reference.startswith("#/components/schemas/"):
        schema = components.get(reference.rsplit("/", 1)[-1], {})
    return schema.get("type") == "array"


@checks.register(checks.Tags.urls)
def check_lists_are_paginated(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    views: Iterable[type[APIView]] | None = None,
    api: InspectedApi | None = None,
    **_kwargs: Any,
) -> Messages:
    """REST contract: every list is paginated with a hard cap on the page size. An unbounded
    list is a denial of service waiting for the table to grow, and changing a bare array into
    an envelope later breaks every client."""
    messages: Messages = []
    for view in first_party_views() if views is None else views:
        paginator = getattr(view, "pagination_class", None)
        if isinstance(paginator, type) and issubclass(paginator, BasePagination):
            reason = _uncapped(paginator)
            if reason is not None:
                messages.append(
                    checks.Error(
                        f"{view.__qualname__} paginates with {paginator.__qualname__}, whose "
                        f"page size has no maximum: {reason}.",
                        hint=f"Give the paginator a maximum (max_page_size with "
                        f"page_size_query_param, or max_limit). {_PAGINATION_HINT}.",
                        obj=view,
                        id="bastion.E106",
                    )
                )
        elif issubclass(view, ListModelMixin):
            messages.append(
                checks.Error(
                    f"{view.__qualname__} lists objects (ListModelMixin) without pagination.",
                    hint=f"Set pagination_class to a paginator with a maximum page size. "
                    f"{_PAGINATION_HINT}.",
                    obj=view,
                    id="bastion.E107",
                )
            )
    api = project_api() if api is None else api
    for endpoint in api.endpoints:
        if endpoint.method != "GET" or not endpoint.operation:
            continue
        ok = endpoint.operation.get("responses", {}).get("200", {})
        for media_type, content in ok.get("content", {}).items():
            if _bare_array(content.get("schema", {}), api.components):
                messages.append(
                    checks.Error(
                        f"{endpoint.view_class.__qualname__}: GET {endpoint.path} answers 200 "
                        f"with a bare JSON array ({media_type}).",
                        hint=f"Lists answer {{results, next, previous}}. {_PAGINATION_HINT}.",
                        obj=endpoint.view_class,
                        id="bastion.E108",
                    )
                )
    return messages


# --- E109: admin widgets for large foreign keys ---------------------------------------------------


def _admins(site: admin.AdminSite) -> Iterator[tuple[type[Any], type[models.Model]]]:
    """(admin class, model) of every registered ModelAdmin and of each of its inlines."""
    # AdminSite has no public way to list its registrations; _registry is what admin checks use.
    for model, model_admin in site._registry.items():
        if not (is_first_party_model(model) or is_first_party(type(model_admin))):
            continue
        yield type(model_admin), model
        for inline in model_admin.inlines:
            yield inline, model


def _parent_link(inline: type[Any], parent: type[models.Model]) -> models.Field[Any, Any] | None:
    """The inline's foreign key to the object it is edited with (shown as that object)."""
    child: type[models.Model] = inline.model
    fk_name = getattr(inline, "fk_name", None)
    for candidate in child._meta.get_fields():
        if not isinstance(candidate, models.ForeignKey):
            continue
        related = candidate.related_model
        if fk_name == candidate.name or (
            fk_name is None and isinstance(related, type) and issubclass(parent, related)
        ):
            return candidate
    return None


@checks.register(checks.Tags.admin)
def check_admin_large_foreign_keys(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    site: admin.AdminSite | None = None,
    large_tables: Iterable[str] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 7: an admin form renders a foreign key as a <select> of every row of the target
    table. For users (and any table in LARGE_TABLES) that is one huge page per form, and a list
    of every account to whoever opens it: use raw_id_fields or autocomplete_fields. Applies to
    ModelAdmins and their inlines, for editable fields that are neither read-only nor excluded;
    an inline's link to its parent is not rendered and is exempt."""
    site = admin.site if site is None else site
    tables = {str(settings.AUTH_USER_MODEL).lower()}
    tables |= {label.lower() for label in (LARGE_TABLES if large_tables is None else large_tables)}
    messages: Messages = []
    for admin_class, parent in _admins(site):
        model: type[models.Model] = (
            admin_class.model if issubclass(admin_class, InlineModelAdmin) else parent
        )
        parent_link = _parent_link(admin_class, parent) if model is not parent else None
        covered = {
            *getattr(admin_class, "raw_id_fields", ()),
            *getattr(admin_class, "autocomplete_fields", ()),
            *getattr(admin_class, "readonly_fields", ()),
            *(getattr(admin_class, "exclude", None) or ()),
        }
        for relation in model._meta.get_fields():
            if not isinstance(relation, (models.ForeignKey, models.ManyToManyField)):
                continue
            related = relation.related_model
            if not isinstance(related, type) or related._meta.label_lower not in tables:
                continue
            if not relation.editable or relation.name in covered or relation is parent_link:
                continue
            through = getattr(relation.remote_field, "through", None)
            if through is not None and not through._meta.auto_created:
                continue  # a many-to-many with its own through model is edited by an inline
            messages.append(
                checks.Error(
                    f"{admin_class.__qualname__} renders {model._meta.label}.{relation.name} "
                    f"(a link to the large table {related._meta.label}) as a select of every "
                    "row.",
                    hint=f"Add '{relation.name}' to raw_id_fields (or to autocomplete_fields, "
                    f"with search_fields on {related._meta.label}'s admin), or to "
                    "readonly_fields if it is not edited there.",
                    obj=admin_class,
                    id="bastion.E109",
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
            hint="Derive it from adapters.platform.serializers.StrictInputSerializer (with the "
            "Strict*Field types), so that an unknown or read-only field is a 400 naming it.",
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
