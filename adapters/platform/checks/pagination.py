"""E106, E107, E108: every list is paginated with a capped page size (creed 8 and the REST
contract)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import (
    BasePagination,
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)
from rest_framework.views import APIView

from adapters.platform.checks.discovery import (
    InspectedApi,
    Messages,
    first_party_views,
    project_api,
)

# --- E106, E107, E108: lists are paginated, with a cap --------------------------------------------

_PAGINATION_HINT = (
    "Return a keyset page through adapters.platform.rest.pagination (page_request(request), then "
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
