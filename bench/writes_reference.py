"""Billing's two money-moving writes written the usual DRF way, for bench/writes.py.

One APIView per endpoint, with the same token authentication, throttles and access rule as
The app's (owners add credit; admins and owners pay), DRF's JSON parser and renderer, input
validated by a Serializer, output by a ModelSerializer, and the business change in
``transaction.atomic()`` under ``select_for_update()`` on the account row. The statements are
the ones the app's repositories run for the same change: lock the account (and then the
invoice), update the balance (and the invoice), insert the ledger entry. Pay also queues the
payer's receipt email after the commit, as the app's does through its outbox: here the usual
way, a Celery task sent in ``transaction.on_commit`` (what ``delay_on_commit`` does), over the
same broker, which no worker consumes in the benchmark.

Each view comes twice:

- ``/bench/drf/...``: the business change only, no Idempotency-Key handling: (b).
- ``/bench/drf-keyed/...``: the same view behind the Idempotency-Key handling that the contract
  asks for, written the usual way: (b+). The key is looked up first; the response is stored in
  the transaction that does the work, and the unique index on (user, key) makes a concurrent
  twin's transaction fail and roll back, after which it replays the first response. Unlike
  the app's, client errors are not stored (a retry runs again) — none occur in the benchmark.

Mounted by the one line in bench/urls.py. Billing's models are looked up by label, not imported,
so that a fork that drops billing keeps a bench that type-checks (as in bench/reference.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from importlib import import_module
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.organizations.models import Membership
from adapters.platform.idempotency.models import IdempotencyRecord

_billing = import_module("adapters.billing.models")
Account: type[Model] = _billing.Account
Invoice: type[Model] = _billing.Invoice
LedgerEntry: type[Model] = _billing.LedgerEntry
MAX_AMOUNT_CENTS: int = import_module("contexts.billing.domain.model").MAX_AMOUNT_CENTS

OWNER = frozenset({"owner"})
ADMIN = frozenset({"admin", "owner"})
KEY_HEADER = "Idempotency-Key"
RECEIPT_TASK = "bench.writes.send_receipt"  # no worker consumes it
INVOICE_FIELDS = [
    "id", "number", "amount_cents", "currency", "status", "description", "due_date",
    "issued_at", "paid_at",
]  # fmt: skip


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request."
    default_code = "idempotency-key-reused"


class CreditInput(serializers.Serializer[Any]):
    amount_cents = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT_CENTS)


class LedgerEntrySerializer(serializers.ModelSerializer[Model]):
    invoice_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "amount_cents", "kind", "invoice_id", "created_at"]


class InvoiceSerializer(serializers.ModelSerializer[Model]):
    class Meta:
        model = Invoice
        fields = INVOICE_FIELDS


def require_role(request: Request, organization_id: int, roles: frozenset[str]) -> None:
    """Non-members 404, members without one of ``roles`` 403 (bench/reference.py's rule)."""
    role = (
        Membership.objects.filter(
            organization_id=organization_id, user_id=int(request.user.pk or 0)
        )
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise NotFound()
    if role not in roles:
        raise PermissionDenied()


def locked_balance(organization_id: int) -> int:
    rows = Account._default_manager.select_for_update().filter(organization_id=organization_id)
    balance = rows.values_list("balance_cents", flat=True).first()
    if balance is None:
        raise NotFound()
    return int(balance)


class PlainDRFCredit(APIView):
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def post(self, request: Request, org_id: int) -> Response | HttpResponse:
        amount_cents = self.validate(request, org_id)
        with transaction.atomic():
            body = self.credit(request, org_id, amount_cents)
        return Response(body, status=status.HTTP_201_CREATED)

    def validate(self, request: Request, org_id: int) -> int:
        require_role(request, org_id, OWNER)
        data = CreditInput(data=request.data)
        data.is_valid(raise_exception=True)
        return int(data.validated_data["amount_cents"])

    def credit(self, request: Request, org_id: int, amount_cents: int) -> dict[str, Any]:
        """The business change; runs in the caller's transaction."""
        balance = locked_balance(org_id) + amount_cents
        Account._default_manager.filter(organization_id=org_id).update(balance_cents=balance)
        entry = LedgerEntry._default_manager.create(
            account_id=org_id,
            amount_cents=amount_cents,
            kind="credit",
            actor_id=request.user.pk,
            created_at=timezone.now(),
        )
        return {**LedgerEntrySerializer(entry).data, "balance_cents": balance}


class PlainDRFPay(APIView):
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def post(self, request: Request, org_id: int, invoice_id: int) -> Response | HttpResponse:
        require_role(request, org_id, ADMIN)
        with transaction.atomic():
            body = self.pay(request, org_id, invoice_id)
        return Response(body)

    def pay(self, request: Request, org_id: int, invoice_id: int) -> dict[str, Any]:
        """The business change; runs in the caller's transaction. Account first, then the
        invoice: the app's lock order."""
        balance = locked_balance(org_id)
        rows = Invoice._default_manager.select_for_update().filter(account_id=org_id, pk=invoice_id)
        invoice = rows.values(*INVOICE_FIELDS).first()
        if invoice is None:
            raise NotFound()
        if invoice["status"] != "open":
            raise Conflict("The invoice is not open.")
        amount_cents = int(invoice["amount_cents"])
        if balance < amount_cents:
            raise Conflict("Insufficient funds.")
        now = timezone.now()
        Account._default_manager.filter(organization_id=org_id).update(
            balance_cents=balance - amount_cents
        )
        Invoice._default_manager.filter(pk=invoice_id).update(status="paid", paid_at=now)
        LedgerEntry._default_manager.create(
            account_id=org_id,
            amount_cents=-amount_cents,
            kind="invoice_payment",
            invoice_id=invoice_id,
            actor_id=request.user.pk,
            created_at=now,
        )
        invoice.update(status="paid", paid_at=now)
        transaction.on_commit(functools.partial(queue_receipt, invoice_id, request.user.pk))
        # DRF reads a mapping's fields as it reads an instance's (the stubs only know the latter).
        return dict(InvoiceSerializer(cast(Any, invoice)).data)


def queue_receipt(invoice_id: int, payer_id: int | None) -> None:
    """The receipt email's task, sent the plain Celery way (no broker: nothing to send, as the
    app then delivers its own in-process)."""
    if not settings.CELERY_BROKER_URL:
        return
    from src.celery import app

    app.send_task(RECEIPT_TASK, args=[invoice_id, payer_id], ignore_result=True)


class KeyedDRFCredit(PlainDRFCredit):
    def post(self, request: Request, org_id: int) -> Response | HttpResponse:
        amount_cents = self.validate(request, org_id)
        return keyed(
            request,
            status.HTTP_201_CREATED,
            lambda: self.credit(request, org_id, amount_cents),
        )


class KeyedDRFPay(PlainDRFPay):
    def post(self, request: Request, org_id: int, invoice_id: int) -> Response | HttpResponse:
        require_role(request, org_id, ADMIN)
        return keyed(request, status.HTTP_200_OK, lambda: self.pay(request, org_id, invoice_id))


def keyed(
    request: Request, success: int, work: Callable[[], dict[str, Any]]
) -> Response | HttpResponse:
    """Run ``work`` once per (user, Idempotency-Key); a replay gets the stored response."""
    key = request.headers.get(KEY_HEADER, "")
    if not 1 <= len(key) <= 255:
        raise ValidationError({KEY_HEADER: ["Required: 1 to 255 characters."]})
    user_id = int(request.user.pk or 0)
    canonical = json.dumps(request.data, sort_keys=True, separators=(",", ":"))
    fingerprint = hashlib.sha256(
        f"{request.method}\n{request.path}\n{canonical}".encode()
    ).hexdigest()
    stored = _stored(user_id, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        with transaction.atomic():
            body = work()
            IdempotencyRecord.objects.create(
                user_id=user_id,
                key=key,
                fingerprint=fingerprint,
                status_code=success,
                response_body=JSONRenderer().render(body).decode(),
            )
    except IntegrityError:
        stored = _stored(user_id, key)  # a concurrent twin committed first: its work stands
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return Response(body, status=success)


def _stored(user_id: int, key: str) -> tuple[str, int, str] | None:
    rows = IdempotencyRecord.objects.filter(user_id=user_id, key=key)
    return rows.values_list("fingerprint", "status_code", "response_body").first()


def _replay(stored: tuple[str, int, str], fingerprint: str) -> HttpResponse:
    stored_fingerprint, status_code, body = stored
    if stored_fingerprint != fingerprint:
        raise KeyReused()
    return HttpResponse(body, status=status_code, content_type="application/json")


urlpatterns = [
    path(
        "bench/drf/orgs/<int:org_id>/account/credits",
        PlainDRFCredit.as_view(),
        name="bench-drf-credits",
    ),
    path(
        "bench/drf/orgs/<int:org_id>/invoices/<int:invoice_id>/pay",
        PlainDRFPay.as_view(),
        name="bench-drf-pay",
    ),
    path(
        "bench/drf-keyed/orgs/<int:org_id>/account/credits",
        KeyedDRFCredit.as_view(),
        name="bench-drf-keyed-credits",
    ),
    path(
        "bench/drf-keyed/orgs/<int:org_id>/invoices/<int:invoice_id>/pay",
        KeyedDRFPay.as_view(),
        name="bench-drf-keyed-pay",
    ),
]
