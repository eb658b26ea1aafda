"""The work items HTTP API: ``/orgs/{org_id}/work-items`` lists and creates,
``/orgs/{org_id}/work-items/{work_item_id}`` reads, changes and deletes.

Both views derive from ``OrganizationScopedView``: a non-member gets the same 404 as for a
missing organization, and a member below ``required_roles`` a 403, before any of the code below
runs. Each method validates its input, calls one service and maps the result.
"""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from adapters.platform.rest.actors import request_actor
from adapters.platform.rest.mapping import compile_mapper
from adapters.platform.rest.openapi import problem_responses
from adapters.platform.rest.pagination import (
    PAGINATION_PARAMETERS,
    page_request,
    paginated,
    paginated_response,
)
from adapters.platform.rest.serializers import StrictCharField, StrictInputSerializer
from adapters.platform.tenancy.views import OrganizationScopedView
from adapters.work_items.container import WorkItemsContainer
from contexts.work_items.application.services import WorkItemService
from contexts.work_items.domain.model import NAME_MAX_LENGTH, WorkItemId
from kernel.tenancy import OrganizationId, Role


class WorkItemOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()


map_work_item = compile_mapper(WorkItemOutput)


class WorkItemInput(StrictInputSerializer):
    name = StrictCharField(max_length=NAME_MAX_LENGTH)


class WorkItemListView(OrganizationScopedView):
    required_roles = {"GET": Role.MEMBER, "POST": Role.ADMIN}

    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(WorkItemOutput)},
        summary="The organization's work items, newest first",
    )
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: WorkItemService = Provide[WorkItemsContainer.work_item_service],
    ) -> Response:
        page = service.list(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            page=page_request(request),
        )
        return paginated_response(request, page.map(map_work_item))

    @extend_schema(
        request=WorkItemInput,
        responses={201: WorkItemOutput, **problem_responses(409)},
        summary="Create one work item (admin or owner)",
        description="Names are unique in the organization: a taken name is a 409.",
    )
    @inject
    def post(
        self,
        request: Request,
        org_id: int,
        service: WorkItemService = Provide[WorkItemsContainer.work_item_service],
    ) -> Response:
        data = WorkItemInput(data=request.data)
        data.is_valid(raise_exception=True)
        work_item = service.create(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            name=data.validated_data["name"],
        )
        return Response(map_work_item(work_item), status=status.HTTP_201_CREATED)


class WorkItemDetailView(OrganizationScopedView):
    required_roles = {"GET": Role.MEMBER, "PATCH": Role.ADMIN, "DELETE": Role.ADMIN}

    @extend_schema(responses={200: WorkItemOutput}, summary="One work item")
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        work_item_id: int,
        service: WorkItemService = Provide[WorkItemsContainer.work_item_service],
    ) -> Response:
        work_item = service.get(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            work_item_id=WorkItemId(work_item_id),
        )
        return Response(map_work_item(work_item))

    @extend_schema(
        request=WorkItemInput,
        responses={200: WorkItemOutput, **problem_responses(409)},
        summary="Change one work item (admin or owner)",
        description="Only the fields sent change. A taken name is a 409.",
    )
    @inject
    def patch(
        self,
        request: Request,
        org_id: int,
        work_item_id: int,
        service: WorkItemService = Provide[WorkItemsContainer.work_item_service],
    ) -> Response:
        data = WorkItemInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        work_item = service.update(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            work_item_id=WorkItemId(work_item_id),
            name=data.validated_data.get("name"),
        )
        return Response(map_work_item(work_item))

    @extend_schema(responses={204: None}, summary="Delete one work item (admin or owner)")
    @inject
    def delete(
        self,
        request: Request,
        org_id: int,
        work_item_id: int,
        service: WorkItemService = Provide[WorkItemsContainer.work_item_service],
    ) -> Response:
        service.delete(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            work_item_id=WorkItemId(work_item_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
