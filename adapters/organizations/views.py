"""Organizations' HTTP API: my organizations, one organization, its members.

Everything under ``/orgs/{org_id}/`` derives from ``OrganizationScopedView``: a non-member gets
the same 404 as for a missing organization, and a member below ``required_roles`` a 403,
before any of the code below runs.
"""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.organizations.container import OrganizationsContainer
from adapters.platform.rest.actors import request_actor
from adapters.platform.rest.mapping import compile_mapper
from adapters.platform.rest.openapi import problem_responses
from adapters.platform.rest.pagination import (
    PAGINATION_PARAMETERS,
    page_request,
    paginated,
    paginated_response,
)
from adapters.platform.rest.serializers import (
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictInputSerializer,
    WholeInputSerializer,
)
from adapters.platform.tenancy.views import OrganizationScopedView
from contexts.organizations.application.services import MembershipService, OrganizationService
from contexts.organizations.domain.model import NAME_MAX_LENGTH
from kernel.actors import UserId
from kernel.tenancy import OrganizationId, Role

ROLES = [role.value for role in Role]


class OrganizationOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=ROLES, help_text="The caller's role.")
    created_at = serializers.DateTimeField()


class MemberOutput(serializers.Serializer[Any]):
    user_id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=ROLES)


map_organization = compile_mapper(OrganizationOutput)
map_member = compile_mapper(MemberOutput)


class OrganizationInput(StrictInputSerializer):
    name = StrictCharField(max_length=NAME_MAX_LENGTH)


class OrganizationListView(APIView):
    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(OrganizationOutput)},
        summary="My organizations, with my role in each",
    )
    @inject
    def get(
        self,
        request: Request,
        service: OrganizationService = Provide[OrganizationsContainer.organization_service],
    ) -> Response:
        page = service.list(actor=request_actor(request), page=page_request(request))
        return paginated_response(request, page.map(map_organization))

    @extend_schema(
        request=OrganizationInput,
        responses={201: OrganizationOutput},
        summary="Create an organization (you become its owner)",
    )
    @inject
    def post(
        self,
        request: Request,
        service: OrganizationService = Provide[OrganizationsContainer.organization_service],
    ) -> Response:
        data = OrganizationInput(data=request.data)
        data.is_valid(raise_exception=True)
        organization = service.create(actor=request_actor(request), **data.validated_data)
        return Response(map_organization(organization), status=status.HTTP_201_CREATED)


class OrganizationDetailView(OrganizationScopedView):
    required_roles = {"GET": Role.MEMBER, "PATCH": Role.ADMIN}

    @extend_schema(responses={200: OrganizationOutput}, summary="One of my organizations")
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: OrganizationService = Provide[OrganizationsContainer.organization_service],
    ) -> Response:
        organization = service.get(
            actor=request_actor(request), organization_id=OrganizationId(org_id)
        )
        return Response(map_organization(organization))

    @extend_schema(
        request=OrganizationInput,
        responses={200: OrganizationOutput},
        summary="Rename an organization (admin or owner)",
    )
    @inject
    def patch(
        self,
        request: Request,
        org_id: int,
        service: OrganizationService = Provide[OrganizationsContainer.organization_service],
    ) -> Response:
        data = OrganizationInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        organization = service.update(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            name=data.validated_data.get("name"),
        )
        return Response(map_organization(organization))


class MemberListView(OrganizationScopedView):
    required_roles = {"GET": Role.MEMBER, "POST": Role.ADMIN}

    class InputSerializer(StrictInputSerializer):
        email = StrictEmailField()
        role = StrictChoiceField(choices=ROLES)

    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(MemberOutput)},
        summary="The organization's members",
    )
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: MembershipService = Provide[OrganizationsContainer.membership_service],
    ) -> Response:
        page = service.list(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            page=page_request(request),
        )
        return paginated_response(request, page.map(map_member))

    @extend_schema(
        request=InputSerializer,
        responses={201: MemberOutput, **problem_responses(409)},
        summary="Add a registered user by email (only an owner may add an owner)",
    )
    @inject
    def post(
        self,
        request: Request,
        org_id: int,
        service: MembershipService = Provide[OrganizationsContainer.membership_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = service.add(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            email=data.validated_data["email"],
            role=Role(data.validated_data["role"]),
        )
        return Response(map_member(member), status=status.HTTP_201_CREATED)


class MemberDetailView(OrganizationScopedView):
    required_roles = {"PATCH": Role.ADMIN, "DELETE": Role.ADMIN}

    class InputSerializer(WholeInputSerializer):
        role = StrictChoiceField(choices=ROLES)

    @extend_schema(
        request=InputSerializer,
        responses={200: MemberOutput, **problem_responses(409)},
        summary="Change a member's role (owners only for the owner role; the last owner stays)",
    )
    @inject
    def patch(
        self,
        request: Request,
        org_id: int,
        user_id: int,
        service: MembershipService = Provide[OrganizationsContainer.membership_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = service.change_role(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            user_id=UserId(user_id),
            role=Role(data.validated_data["role"]),
        )
        return Response(map_member(member))

    @extend_schema(
        responses={204: None, **problem_responses(409)},
        summary="Remove a member (owners only for owners; the last owner stays)",
    )
    @inject
    def delete(
        self,
        request: Request,
        org_id: int,
        user_id: int,
        service: MembershipService = Provide[OrganizationsContainer.membership_service],
    ) -> Response:
        service.remove(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            user_id=UserId(user_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
