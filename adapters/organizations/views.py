"""Organizations' HTTP API: my organizations, one organization, its members, its invitations;
and accepting an invitation.

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
    token_field,
)
from adapters.platform.tenancy.views import OrganizationScopedView
from contexts.organizations.application.services import (
    InvitationService,
    MembershipService,
    OrganizationService,
)
from contexts.organizations.domain.model import NAME_MAX_LENGTH, InvitationId, InvitationStatus
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


class InvitationOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=ROLES)
    status = serializers.ChoiceField(choices=[status.value for status in InvitationStatus])
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class JoinedOutput(serializers.Serializer[Any]):
    organization_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=ROLES, help_text="My role in it now.")


map_organization = compile_mapper(OrganizationOutput)
map_member = compile_mapper(MemberOutput)
map_invitation = compile_mapper(InvitationOutput)
map_joined = compile_mapper(JoinedOutput)


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
    # People join through invitations (InvitationListView), never by an admin typing an email:
    # that would tell anyone who creates an organization which emails have an account.
    required_roles = {"GET": Role.MEMBER}

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


class InvitationListView(OrganizationScopedView):
    required_roles = {"GET": Role.ADMIN, "POST": Role.ADMIN}

    class InputSerializer(StrictInputSerializer):
        email = StrictEmailField()
        role = StrictChoiceField(choices=ROLES)

    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(InvitationOutput)},
        summary="The organization's pending invitations, newest first",
    )
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: InvitationService = Provide[OrganizationsContainer.invitation_service],
    ) -> Response:
        page = service.list(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            page=page_request(request),
        )
        return paginated_response(request, page.map(map_invitation))

    @extend_schema(
        request=InputSerializer,
        responses={201: InvitationOutput, **problem_responses(409)},
        summary="Invite an email address (only an owner may invite an owner)",
        description=(
            "The invitee gets an email with a link to accept. The answer is the same whether "
            "or not the address has an account; an address that is a member's is a 409 "
            "`already-member`. A pending invitation to the same address is replaced (revoked)."
        ),
    )
    @inject
    def post(
        self,
        request: Request,
        org_id: int,
        service: InvitationService = Provide[OrganizationsContainer.invitation_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = service.invite(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            email=data.validated_data["email"],
            role=Role(data.validated_data["role"]),
        )
        return Response(map_invitation(invitation), status=status.HTTP_201_CREATED)


class InvitationDetailView(OrganizationScopedView):
    required_roles = {"DELETE": Role.ADMIN}

    @extend_schema(
        responses={204: None},
        summary="Revoke a pending invitation (its link stops working)",
    )
    @inject
    def delete(
        self,
        request: Request,
        org_id: int,
        invitation_id: int,
        service: InvitationService = Provide[OrganizationsContainer.invitation_service],
    ) -> Response:
        service.revoke(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            invitation_id=InvitationId(invitation_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptView(APIView):
    class InputSerializer(StrictInputSerializer):
        token = token_field()

    @extend_schema(
        request=InputSerializer,
        responses={200: JoinedOutput, **problem_responses(404, 409)},
        summary="Accept an invitation to my email address with the token of its email",
        description=(
            "Only the account whose address was invited may accept: for anyone else the token "
            "is a 404, as if it did not exist. A used, revoked or expired invitation is a 400 "
            "`invalid-token`; if I am a member already, a 409 `already-member`. Accepting "
            "verifies my address."
        ),
    )
    @inject
    def post(
        self,
        request: Request,
        service: InvitationService = Provide[OrganizationsContainer.invitation_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        joined = service.accept(actor=request_actor(request), **data.validated_data)
        return Response(map_joined(joined))
