"""What the invoice list looks like written the usual DRF way: a ModelSerializer, a
ListAPIView and DRF's CursorPagination, with the same authentication, the same access rule
(admins and owners of the organization), the same data and the same page size."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer

from adapters.organizations.models import Membership

# The read-path bench measures billing's invoice list. Looked up by label, not imported, so that
# a fork that drops billing keeps a bench that type-checks (bench/run.py says what it needs).
Invoice: type[Model] = import_module("adapters.billing.models").Invoice


class InvoiceSerializer(serializers.ModelSerializer[Model]):
    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "amount_cents",
            "currency",
            "status",
            "description",
            "due_date",
            "issued_at",
            "paid_at",
        ]


class InvoicePagination(CursorPagination):
    ordering = ("-issued_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class PlainDRFInvoiceList(generics.ListAPIView[Model]):
    serializer_class = InvoiceSerializer
    pagination_class = InvoicePagination
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[Model]:
        organization_id = self.kwargs["org_id"]
        role = (
            Membership.objects.filter(
                organization_id=organization_id, user_id=int(self.request.user.pk or 0)
            )
            .values_list("role", flat=True)
            .first()
        )
        if role is None:
            raise NotFound()
        if role not in ("admin", "owner"):
            raise PermissionDenied()
        queryset = Invoice._default_manager.filter(account_id=organization_id)
        status = self.request.query_params.get("status")
        return queryset.filter(status=status) if status else queryset


def floor(request: HttpRequest, **_kwargs: Any) -> HttpResponse:
    """The framework's floor: Django's routing and middleware, a constant JSON body."""
    return HttpResponse(
        b'{"results":[],"next":null,"previous":null}', content_type="application/json"
    )
