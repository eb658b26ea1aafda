"""Billing's HTTP API: plans, my subscriptions, an organization's invoices and account.

Organization routes derive from ``OrganizationScopedView`` (non-members 404, low roles 403);
money-moving POSTs are ``@idempotent`` (Idempotency-Key required).
"""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.billing.container import BillingContainer
from adapters.platform.idempotency.decorators import IDEMPOTENCY_PARAMETER, idempotent
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
    StrictDateField,
    StrictInputSerializer,
    StrictIntegerField,
    reject_body,
)
from adapters.platform.tenancy.views import OrganizationScopedView
from contexts.billing.application.services import (
    AccountService,
    InvoiceService,
    PlanService,
    SubscriptionService,
)
from contexts.billing.domain.model import (
    CURRENCY_MESSAGE,
    CURRENCY_PATTERN,
    DESCRIPTION_MAX_LENGTH,
    MAX_AMOUNT_CENTS,
    PLAN_CODE_MAX_LENGTH,
    EntryKind,
    Interval,
    InvoiceId,
    InvoiceStatus,
    SubscriptionId,
    SubscriptionStatus,
)
from kernel.tenancy import OrganizationId, Role


def _values(enum: type[Any]) -> list[str]:
    return [member.value for member in enum]


# --- plans and subscriptions -------------------------------------------------------------------


class PlanOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    plan_type = serializers.CharField()
    price_cents = serializers.IntegerField(min_value=0)
    currency = serializers.CharField(min_length=3, max_length=3)
    interval = serializers.ChoiceField(choices=_values(Interval))


class SubscriptionOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.CharField(help_text="The plan's code.")
    plan_type = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.ChoiceField(choices=_values(SubscriptionStatus))


map_plan = compile_mapper(PlanOutput)
map_subscription = compile_mapper(SubscriptionOutput)


class PlanListView(APIView):
    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(PlanOutput)},
        summary="The plan catalogue",
    )
    @inject
    def get(
        self,
        request: Request,
        service: PlanService = Provide[BillingContainer.plan_service],
    ) -> Response:
        page = service.list(actor=request_actor(request), page=page_request(request))
        return paginated_response(request, page.map(map_plan))


class SubscriptionListView(APIView):
    class InputSerializer(StrictInputSerializer):
        plan = StrictCharField(max_length=PLAN_CODE_MAX_LENGTH, help_text="A plan's code.")
        start_date = StrictDateField()
        end_date = StrictDateField()

    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(SubscriptionOutput)},
        summary="My subscriptions, newest first (cancelled ones included)",
    )
    @inject
    def get(
        self,
        request: Request,
        service: SubscriptionService = Provide[BillingContainer.subscription_service],
    ) -> Response:
        page = service.list(actor=request_actor(request), page=page_request(request))
        return paginated_response(request, page.map(map_subscription))

    @extend_schema(
        request=InputSerializer,
        responses={201: SubscriptionOutput, **problem_responses(409)},
        summary="Subscribe to a plan",
        description=(
            "end_date must be after start_date. One active subscription per plan type: a "
            "second one is a 409 until the first is cancelled."
        ),
    )
    @inject
    def post(
        self,
        request: Request,
        service: SubscriptionService = Provide[BillingContainer.subscription_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = service.subscribe(
            actor=request_actor(request),
            plan_code=data.validated_data["plan"],
            start_date=data.validated_data["start_date"],
            end_date=data.validated_data["end_date"],
        )
        return Response(map_subscription(subscription), status=status.HTTP_201_CREATED)


class SubscriptionDetailView(APIView):
    @extend_schema(
        responses={204: None},
        summary="Cancel my subscription",
        description=(
            "The subscription stays listed with status `cancelled` and no longer counts "
            "towards the one-per-plan-type rule. Cancelling again changes nothing."
        ),
    )
    @inject
    def delete(
        self,
        request: Request,
        subscription_id: int,
        service: SubscriptionService = Provide[BillingContainer.subscription_service],
    ) -> Response:
        service.cancel(
            actor=request_actor(request), subscription_id=SubscriptionId(subscription_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- invoices ----------------------------------------------------------------------------------


class InvoiceOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="Sequential per organization.")
    amount_cents = serializers.IntegerField(min_value=1)
    currency = serializers.CharField(min_length=3, max_length=3)
    status = serializers.ChoiceField(choices=_values(InvoiceStatus))
    description = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField()
    issued_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


map_invoice = compile_mapper(InvoiceOutput)

STATUS_PARAMETER = OpenApiParameter(
    "status", str, enum=_values(InvoiceStatus), description="Only invoices in this status."
)


class InvoiceListView(OrganizationScopedView):
    required_roles = {"GET": Role.ADMIN}
    staff_methods = frozenset({"POST"})

    class InputSerializer(StrictInputSerializer):
        amount_cents = StrictIntegerField(min_value=1, max_value=MAX_AMOUNT_CENTS)
        # Anything but three capitals (numbers and lists included) fails the pattern.
        currency = serializers.RegexField(
            CURRENCY_PATTERN, error_messages={"invalid": CURRENCY_MESSAGE}
        )
        due_date = StrictDateField()
        description = StrictCharField(
            max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
        )

    @extend_schema(
        parameters=[STATUS_PARAMETER, *PAGINATION_PARAMETERS],
        responses={200: paginated(InvoiceOutput)},
        summary="The organization's invoices, newest first (admin or owner)",
    )
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: InvoiceService = Provide[BillingContainer.invoice_service],
    ) -> Response:
        raw_status = request.query_params.get("status")
        if raw_status is not None and raw_status not in _values(InvoiceStatus):
            raise ValidationError(
                {"status": [f"Must be one of: {', '.join(_values(InvoiceStatus))}."]}
            )
        page = service.list(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            status=InvoiceStatus(raw_status) if raw_status else None,
            page=page_request(request),
        )
        return paginated_response(request, page.map(map_invoice))

    @extend_schema(
        request=InputSerializer,
        responses={201: InvoiceOutput},
        summary="Issue an invoice to the organization (staff only)",
    )
    @inject
    def post(
        self,
        request: Request,
        org_id: int,
        service: InvoiceService = Provide[BillingContainer.invoice_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = service.issue(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            **data.validated_data,
        )
        return Response(map_invoice(invoice), status=status.HTTP_201_CREATED)


class InvoiceDetailView(OrganizationScopedView):
    required_roles = {"GET": Role.ADMIN}

    @extend_schema(responses={200: InvoiceOutput}, summary="One invoice (admin or owner)")
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        invoice_id: int,
        service: InvoiceService = Provide[BillingContainer.invoice_service],
    ) -> Response:
        invoice = service.get(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            invoice_id=InvoiceId(invoice_id),
        )
        return Response(map_invoice(invoice))


class InvoicePayView(OrganizationScopedView):
    required_roles = {"POST": Role.ADMIN}

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: InvoiceOutput, **problem_responses(409, 422)},
        summary="Pay an open invoice from the organization's account (admin or owner)",
        description=(
            "409 `invoice-not-payable` when it is already paid or void; 409 "
            "`insufficient-funds` when the balance is too low."
        ),
    )
    @idempotent
    @inject
    def post(
        self,
        request: Request,
        org_id: int,
        invoice_id: int,
        service: InvoiceService = Provide[BillingContainer.invoice_service],
    ) -> Response:
        reject_body(request.data)
        invoice = service.pay(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            invoice_id=InvoiceId(invoice_id),
        )
        return Response(map_invoice(invoice))


# --- account -----------------------------------------------------------------------------------


class AccountOutput(serializers.Serializer[Any]):
    balance_cents = serializers.IntegerField(min_value=0)
    currency = serializers.CharField(min_length=3, max_length=3)


class LedgerEntryOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    amount_cents = serializers.IntegerField(help_text="Signed: credits > 0, payments < 0.")
    kind = serializers.ChoiceField(choices=_values(EntryKind))
    invoice_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class CreditOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="entry.id", help_text="The new ledger entry's id.")
    amount_cents = serializers.IntegerField(source="entry.amount_cents")
    kind = serializers.ChoiceField(source="entry.kind", choices=_values(EntryKind))
    invoice_id = serializers.IntegerField(source="entry.invoice_id", allow_null=True)
    created_at = serializers.DateTimeField(source="entry.created_at")
    balance_cents = serializers.IntegerField(help_text="The balance after the credit.")


map_account = compile_mapper(AccountOutput)
map_entry = compile_mapper(LedgerEntryOutput)
map_credit = compile_mapper(CreditOutput)


class AccountView(OrganizationScopedView):
    required_roles = {"GET": Role.ADMIN}

    @extend_schema(responses={200: AccountOutput}, summary="The prepaid account (admin or owner)")
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: AccountService = Provide[BillingContainer.account_service],
    ) -> Response:
        account = service.get(actor=request_actor(request), organization_id=OrganizationId(org_id))
        return Response(map_account(account))


class LedgerEntryListView(OrganizationScopedView):
    required_roles = {"GET": Role.ADMIN}

    @extend_schema(
        parameters=PAGINATION_PARAMETERS,
        responses={200: paginated(LedgerEntryOutput)},
        summary="The account's ledger, newest first (admin or owner)",
    )
    @inject
    def get(
        self,
        request: Request,
        org_id: int,
        service: AccountService = Provide[BillingContainer.account_service],
    ) -> Response:
        page = service.list_entries(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            page=page_request(request),
        )
        return paginated_response(request, page.map(map_entry))


class CreditView(OrganizationScopedView):
    required_roles = {"POST": Role.OWNER}

    class InputSerializer(StrictInputSerializer):
        amount_cents = StrictIntegerField(min_value=1, max_value=MAX_AMOUNT_CENTS)

    @extend_schema(
        request=InputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: CreditOutput, **problem_responses(422)},
        summary="Add credit to the account (owner)",
    )
    @idempotent
    @inject
    def post(
        self,
        request: Request,
        org_id: int,
        service: AccountService = Provide[BillingContainer.account_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = service.add_credit(
            actor=request_actor(request),
            organization_id=OrganizationId(org_id),
            amount_cents=data.validated_data["amount_cents"],
        )
        return Response(map_credit(result), status=status.HTTP_201_CREATED)
