"""The creed's system checks (adapters.platform.checks) can fail, and the tree passes them.

A check that nothing can trip protects nothing: each test builds a deliberately bad model,
serializer, view or admin here, feeds it to the check function directly, and expects the
check's id, a message naming the offender, and a hint; the fixed variant passes.
"""

from __future__ import annotations

import gc
import io
import sys
import types
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps, override_settings
from django.urls import clear_url_caches, include, path
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import (
    BasePagination,
    CursorPagination,
    LimitOffsetPagination,
    PageNumberPagination,
)
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.platform.checks import access, discovery, pagination
from adapters.platform.checks import admin as admin_checks
from adapters.platform.checks import models as model_checks
from adapters.platform.checks import serializers as serializer_checks
from adapters.platform.checks.discovery import Endpoint, InspectedApi, inspect_api
from adapters.platform.rest.pagination import paginated
from adapters.platform.rest.permissions import public
from adapters.platform.rest.serializers import StrictInputSerializer

NO_API = InspectedApi()  # keeps the schema-based half of a check off the project's own API


def assert_reported(
    messages: list[checks.CheckMessage], check_id: str, *names: str
) -> checks.CheckMessage:
    """Exactly one serious message, with ``check_id``, naming each of ``names``, with a hint."""
    assert [message.id for message in messages] == [check_id], messages
    message = messages[0]
    assert message.is_serious()
    for name in names:
        assert name in message.msg, message.msg
    assert message.hint
    return message


# --- E101 admin registration, E102 __str__ --------------------------------------------------------


def test_a_model_missing_from_the_admin_is_reported() -> None:
    with isolate_apps("adapters.organizations"):

        class Widget(models.Model):
            class Meta:
                app_label = "organizations"

            def __str__(self) -> str:
                return "widget"

        site = admin.AdminSite(name="creed-e101")
        app_config = Widget._meta.apps.get_app_config("organizations")

        messages = model_checks.check_models_have_admin([app_config], site=site)
        assert_reported(messages, "bastion.E101", "organizations.Widget")

        site.register(Widget)
        assert model_checks.check_models_have_admin(model_classes=[Widget], site=site) == []


def test_a_model_without_a_str_of_its_own_is_reported() -> None:
    with isolate_apps("adapters.organizations"):

        class Plain(models.Model):  # noqa: DJ008  (the defect under test)
            class Meta:
                app_label = "organizations"

        class Account(AbstractBaseUser):  # AbstractBaseUser.__str__ is just the username
            class Meta:
                app_label = "organizations"

        class NamedBase(models.Model):
            class Meta:
                abstract = True

            def __str__(self) -> str:
                return "named"

        class Named(NamedBase):
            class Meta:
                app_label = "organizations"

        class Own(models.Model):
            class Meta:
                app_label = "organizations"

            def __str__(self) -> str:
                return "own"

        for model, inherited in [(Plain, "Model.__str__"), (Account, "AbstractBaseUser")]:
            messages = model_checks.check_models_define_str(model_classes=[model])
            assert_reported(messages, "bastion.E102", model._meta.label, inherited)

        # A base class counts only when it is first-party.
        assert_reported(
            model_checks.check_models_define_str(model_classes=[Named]), "bastion.E102", "Named"
        )
        NamedBase.__module__ = "adapters.organizations.models"
        assert model_checks.check_models_define_str(model_classes=[Named, Own]) == []


# --- E103 ModelSerializers list their fields ------------------------------------------------------


def test_model_serializers_with_all_fields_or_exclude_are_reported() -> None:
    with isolate_apps("adapters.organizations"):

        class Gadget(models.Model):
            name = models.CharField(max_length=10)
            secret = models.CharField(max_length=10)

            class Meta:
                app_label = "organizations"

            def __str__(self) -> str:
                return self.name

        class EverythingSerializer(serializers.ModelSerializer[Gadget]):
            class Meta:
                model = Gadget
                fields = "__all__"

        class AllButSerializer(serializers.ModelSerializer[Gadget]):
            class Meta:
                model = Gadget
                exclude = ["secret"]

        class ListedSerializer(serializers.ModelSerializer[Gadget]):
            class Meta:
                model = Gadget
                fields = ["id", "name"]

        for bad, problem in [(EverythingSerializer, "__all__"), (AllButSerializer, "exclude")]:
            messages = serializer_checks.check_model_serializers_list_fields(
                serializer_classes=[bad]
            )
            assert_reported(messages, "bastion.E103", bad.__qualname__, problem)

        listed = serializer_checks.check_model_serializers_list_fields(
            serializer_classes=[ListedSerializer]
        )
        assert listed == []


# --- E104, E105 default deny ----------------------------------------------------------------------


class AlsoAllowAny(AllowAny):
    pass


class OpenView(APIView):
    permission_classes = [AllowAny]


class ComposedOpenView(APIView):
    permission_classes = [IsAuthenticated | AlsoAllowAny]


class NoPermissionView(APIView):
    permission_classes = []


@public
class PublicView(APIView):
    pass


class InheritsPublicView(PublicView):
    pass


class DefaultView(APIView):
    pass


class StaffView(APIView):
    permission_classes = [IsAdminUser]


@pytest.mark.parametrize("view", [OpenView, ComposedOpenView])
def test_allow_any_on_a_view_not_marked_public_is_reported(view: type[APIView]) -> None:
    messages = access.check_view_permissions(views=[view])

    assert_reported(messages, "bastion.E104", view.__qualname__, "@public")


def test_public_is_not_inherited() -> None:
    messages = access.check_view_permissions(views=[InheritsPublicView])

    assert_reported(messages, "bastion.E104", "InheritsPublicView", "inherits @public")


def test_an_empty_permission_list_is_reported() -> None:
    messages = access.check_view_permissions(views=[NoPermissionView])

    assert_reported(messages, "bastion.E105", "NoPermissionView", "permission_classes = []")


def test_a_view_with_its_own_queryset_is_reported() -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.generics import ListAPIView

    class UnscopedUsers(ListAPIView):  # type: ignore[type-arg]  # a deliberately bad example
        queryset = get_user_model().objects.all()

    class ScopedByHand(APIView):
        def get_queryset(self) -> object:
            return None

    for view in (UnscopedUsers, ScopedByHand):
        messages = access.check_views_do_not_query(views=[view])
        message = assert_reported(messages, "bastion.E112", view.__qualname__, "repository")
        assert "repository" in str(message.hint)
    assert access.check_views_do_not_query(views=[PublicView, DefaultView]) == []


def test_public_default_and_declared_permissions_pass() -> None:
    assert access.check_view_permissions(views=[PublicView, DefaultView, StaffView]) == []


def test_the_checks_find_views_through_the_urlconf(monkeypatch: pytest.MonkeyPatch) -> None:
    class RoutedOpenView(APIView):
        permission_classes = [AllowAny]

        def get(self, request: Request) -> Response:
            return Response()

    RoutedOpenView.__module__ = "adapters.intruder.views"  # first-party, as far as checks go
    urlconf = types.ModuleType("creed_checks_test_urls")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]  # a URLconf built on the fly
        path("api/", include([path("open", RoutedOpenView.as_view())])),
        path("third-party", OpenView.as_view()),  # not first-party: not the creed's business
    ]
    monkeypatch.setitem(sys.modules, urlconf.__name__, urlconf)

    with override_settings(ROOT_URLCONF=urlconf.__name__):
        assert discovery.url_views() == [RoutedOpenView]
        assert [e.path for e in discovery.project_api().endpoints] == ["/api/open"]
        reported = checks.run_checks(tags=[checks.Tags.security])

    assert_reported(
        [m for m in reported if m.id == "bastion.E104"], "bastion.E104", "RoutedOpenView"
    )


# --- E106, E107, E108 lists are paginated with a cap ----------------------------------------------


class ClientSizedPages(PageNumberPagination):
    page_size = 10
    page_size_query_param = "page_size"


class CappedPages(ClientSizedPages):
    max_page_size = 100


class FixedPages(PageNumberPagination):
    page_size = 10  # clients cannot change it: capped


class UnboundedOffsets(LimitOffsetPagination):
    default_limit = 10


class BoundedOffsets(UnboundedOffsets):
    max_limit = 100


class SizelessCursor(CursorPagination):
    page_size = None


class HomeMadePages(BasePagination):
    pass


def _paginated_view(paginator: type[BasePagination] | None) -> type[APIView]:
    return type("PagedView", (generics.GenericAPIView,), {"pagination_class": paginator})


@pytest.mark.parametrize(
    "paginator", [ClientSizedPages, UnboundedOffsets, SizelessCursor, HomeMadePages]
)
def test_a_paginator_without_a_maximum_page_size_is_reported(
    paginator: type[BasePagination],
) -> None:
    view = _paginated_view(paginator)

    messages = pagination.check_lists_are_paginated(views=[view], api=NO_API)

    assert_reported(messages, "bastion.E106", "PagedView", paginator.__qualname__)


@pytest.mark.parametrize("paginator", [CappedPages, FixedPages, BoundedOffsets, None])
def test_capped_paginators_pass(paginator: type[BasePagination] | None) -> None:
    view = _paginated_view(paginator)

    assert pagination.check_lists_are_paginated(views=[view], api=NO_API) == []


def test_a_list_view_without_pagination_is_reported() -> None:
    class EverythingListView(generics.ListAPIView[Any]):
        pagination_class = None

    messages = pagination.check_lists_are_paginated(views=[EverythingListView], api=NO_API)

    assert_reported(messages, "bastion.E107", "EverythingListView", "ListModelMixin")


class ItemOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()


class BareListView(APIView):
    @extend_schema(responses={200: ItemOutput(many=True)})
    def get(self, request: Request) -> Response:
        return Response([])


class EnvelopeListView(APIView):
    @extend_schema(responses={200: paginated(ItemOutput)})
    def get(self, request: Request) -> Response:
        return Response({"results": [], "next": None, "previous": None})


def test_a_get_answering_a_bare_array_is_reported() -> None:
    api = inspect_api(
        [path("bare", BareListView.as_view()), path("envelope", EnvelopeListView.as_view())],
        first_party_only=False,
    )

    messages = pagination.check_lists_are_paginated(views=[], api=api)

    assert_reported(messages, "bastion.E108", "BareListView", "GET /bare")


def test_a_bare_array_behind_a_component_reference_is_reported() -> None:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Items"}}}
    operation = {"responses": {"200": {"content": content}}}
    api = InspectedApi(
        endpoints=(Endpoint(BareListView, "GET", "/items", operation),),
        components={"Items": {"type": "array", "items": {"type": "integer"}}},
    )

    messages = pagination.check_lists_are_paginated(views=[], api=api)

    assert_reported(messages, "bastion.E108", "BareListView", "GET /items")


# --- E109 admin widgets for large foreign keys ----------------------------------------------------


def test_admin_selects_of_every_user_are_reported() -> None:
    with isolate_apps("adapters.organizations"):

        class Team(models.Model):
            class Meta:
                app_label = "organizations"

            def __str__(self) -> str:
                return f"team #{self.pk}"

        class Seat(models.Model):
            team = models.ForeignKey(Team, on_delete=models.CASCADE)
            holder = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)

            class Meta:
                app_label = "organizations"

            def __str__(self) -> str:
                return f"seat #{self.pk}"

        class SeatInline(admin.TabularInline[Seat, Team]):
            model = Seat

        class TeamAdmin(admin.ModelAdmin[Team]):
            inlines = [SeatInline]

        class SeatAdmin(admin.ModelAdmin[Seat]):
            pass

        site = admin.AdminSite(name="creed-e109")
        site.register(Team, TeamAdmin)
        site.register(Seat, SeatAdmin)

        # The inline's link to its Team is exempt; Seat.team is no large table by default.
        messages = admin_checks.check_admin_large_foreign_keys(site=site)
        assert [message.id for message in messages] == ["bastion.E109"] * 2
        for message, offender in zip(messages, ["SeatInline", "SeatAdmin"], strict=True):
            assert_reported([message], "bastion.E109", offender, "Seat.holder", "identity.User")

        messages = admin_checks.check_admin_large_foreign_keys(
            site=site, large_tables={"organizations.Team"}
        )
        assert len(messages) == 3
        assert_reported([m for m in messages if "Seat.team" in m.msg], "bastion.E109", "SeatAdmin")

        SeatInline.raw_id_fields = ("holder",)
        SeatAdmin.readonly_fields = ("holder",)
        assert admin_checks.check_admin_large_foreign_keys(site=site) == []


# --- E110 strict input, E111 the schema builds ----------------------------------------------------


class LenientPayload(serializers.Serializer[Any]):
    name = serializers.CharField()


class LenientAddress(serializers.Serializer[Any]):
    city = serializers.CharField()


class StrictOrderInput(StrictInputSerializer):
    address = LenientAddress()


class StrictPayload(StrictInputSerializer):
    name = serializers.CharField()


class DocumentedWriteView(APIView):
    @extend_schema(request=LenientPayload, responses={201: ItemOutput})
    def post(self, request: Request) -> Response:
        return Response(status=201)


class NestedWriteView(APIView):
    @extend_schema(request=StrictOrderInput, responses={200: ItemOutput})
    def put(self, request: Request) -> Response:
        return Response()


class GenericWriteView(generics.CreateAPIView[Any]):
    serializer_class = LenientPayload


class StrictWriteView(APIView):
    @extend_schema(request=StrictPayload, responses={200: ItemOutput})
    def patch(self, request: Request) -> Response:
        return Response()


@pytest.mark.parametrize(
    ("view", "offender", "where"),
    [
        (DocumentedWriteView, "LenientPayload", "POST /write (DocumentedWriteView)"),
        (NestedWriteView, "LenientAddress", "field 'address' in PUT /write"),
        (GenericWriteView, "LenientPayload", "POST /write (GenericWriteView)"),
    ],
)
def test_a_lenient_request_body_is_reported(view: type[APIView], offender: str, where: str) -> None:
    api = inspect_api([path("write", view.as_view())], first_party_only=False)

    messages = serializer_checks.check_write_serializers_are_strict(api=api, serializer_classes=[])

    assert_reported(messages, "bastion.E110", offender, where, "StrictInputSerializer")


def test_a_strict_request_body_passes() -> None:
    api = inspect_api([path("write", StrictWriteView.as_view())], first_party_only=False)

    assert api.endpoints
    assert (
        serializer_checks.check_write_serializers_are_strict(api=api, serializer_classes=[]) == []
    )


def test_a_lenient_serializer_named_as_input_is_reported() -> None:
    class ProfileInput(serializers.Serializer[Any]):
        name = serializers.CharField()

    class ProfileOutput(serializers.Serializer[Any]):
        name = serializers.CharField()

    candidates = [ProfileInput, ProfileOutput, StrictOrderInput]

    messages = serializer_checks.check_write_serializers_are_strict(
        api=NO_API, serializer_classes=candidates
    )

    assert_reported(messages, "bastion.E110", "ProfileInput", "named as an input serializer")


class ExplodingSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        raise RuntimeError("boom")


class UndocumentableView(APIView):
    schema = ExplodingSchema()

    def get(self, request: Request) -> Response:
        return Response()


def test_a_schema_that_cannot_be_built_is_reported() -> None:
    api = inspect_api([path("broken", UndocumentableView.as_view())], first_party_only=False)

    messages = serializer_checks.check_api_schema_builds(api=api)

    assert_reported(messages, "bastion.E111", "UndocumentableView", "RuntimeError: boom")
    assert serializer_checks.check_api_schema_builds(api=NO_API) == []


# --- the real tree --------------------------------------------------------------------------------


def test_every_creed_check_is_registered() -> None:
    registered = set(checks.registry.registry.get_checks())
    modules = [access, admin_checks, model_checks, pagination, serializer_checks]
    creed = {
        getattr(module, name)
        for module in modules
        for name in dir(module)
        if name.startswith("check_") and callable(getattr(module, name))
    }

    assert len(creed) == 9
    assert creed <= registered


def test_the_project_passes_every_creed_check() -> None:
    # Bad examples built by other tests (some dressed up as first-party) linger as subclasses
    # until collected, a routed one as long as the URL resolver cache holds its urlconf; the
    # checks find views and serializers as subclasses.
    clear_url_caches()
    discovery._inspect_resolver.cache_clear()
    gc.collect()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("check", stdout=stdout, stderr=stderr)
    except SystemCheckError as error:
        report = str(error)
    else:
        report = stdout.getvalue() + stderr.getvalue()

    assert "bastion.E1" not in report, report
    assert not [m for m in checks.run_checks() if (m.id or "").startswith("bastion.E1")]
