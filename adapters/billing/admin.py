"""Billing's admin. Balances and the ledger are read-only here: money moves only through the
account services, which lock the account and write the ledger entry in one transaction."""

from typing import cast

from dependency_injector.wiring import Provide, inject
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.billing.container import BillingContainer
from adapters.billing.models import Account, Invoice, LedgerEntry, Plan, Subscription
from adapters.platform.admin import ReadOnlyAdmin
from contexts.billing.application.services import InvoiceService
from contexts.billing.domain.errors import InvoiceNotVoidable
from contexts.billing.domain.model import InvoiceId
from kernel.actors import Actor, UserId
from kernel.tenancy import OrganizationId


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ("code", "name", "plan_type", "price_cents", "currency", "interval", "is_active")
    list_filter = ("plan_type", "interval", "is_active", "currency")
    search_fields = ("code", "name")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    list_display = ("id", "user", "plan", "status", "start_date", "end_date", "created_at")
    list_filter = ("status", "plan_type", "plan")
    search_fields = ("user__email", "plan__code")
    list_select_related = ("user", "plan")
    raw_id_fields = ("user",)
    readonly_fields = ("plan_type", "created_at", "cancelled_at")
    date_hierarchy = "start_date"


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = (
        "organization_id",
        "balance_cents",
        "currency",
        "invoice_sequence",
        "updated_at",
    )
    list_filter = ("currency",)
    search_fields = ("organization_id",)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin[Invoice]):
    list_display = (
        "number",
        "account",
        "amount_cents",
        "currency",
        "status",
        "due_date",
        "issued_at",
        "paid_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("=account__organization_id", "=number", "description")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "issued_at"
    # Paying changes the balance: only the pay service may set these.
    readonly_fields = ("number", "status", "paid_at", "issued_at")

    actions = ("void_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invoices are issued through the API (staff), which numbers them

    @admin.action(description="Void the selected open invoices")
    @inject
    def void_selected(
        self,
        request: HttpRequest,
        queryset: QuerySet[Invoice],
        service: InvoiceService = Provide[BillingContainer.invoice_service],
    ) -> None:
        # The admin site serves authenticated staff only: the user has an id.
        actor = Actor(UserId(cast(int, request.user.pk)), is_staff=request.user.is_staff)
        voided = 0
        for organization_id, invoice_id in queryset.values_list("account_id", "pk"):
            try:
                service.void(
                    actor=actor,
                    organization_id=OrganizationId(organization_id),
                    invoice_id=InvoiceId(invoice_id),
                )
            except InvoiceNotVoidable:
                continue
            voided += 1
        self.message_user(
            request, f"{voided} invoice(s) voided; paid or void ones were left alone."
        )


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "account", "kind", "amount_cents", "invoice", "actor_id", "created_at")
    list_filter = ("kind",)
    search_fields = ("=account__organization_id", "=invoice__id")
    list_select_related = ("account", "invoice")
    raw_id_fields = ("account", "invoice")
    date_hierarchy = "created_at"
