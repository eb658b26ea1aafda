"""Billing's tables. Integrity rules live in the database too: constraints back every rule
that a race could otherwise slip past."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models

from contexts.billing.domain.model import (
    DESCRIPTION_MAX_LENGTH,
    PLAN_CODE_MAX_LENGTH,
    EntryKind,
    Interval,
    InvoiceStatus,
    SubscriptionStatus,
)


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class Plan(models.Model):
    code = models.SlugField(max_length=PLAN_CODE_MAX_LENGTH, unique=True)
    name = models.CharField(max_length=100)
    plan_type = models.SlugField(max_length=30, help_text="A user holds one active plan per type.")
    price_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    interval = models.CharField(max_length=5, choices=_choices(Interval))
    is_active = models.BooleanField(default=True, help_text="Offered to new subscribers.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.price_cents} {self.currency}/{self.interval})"


class Subscription(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    # Copied from the plan so that the database can enforce "one active plan per type".
    plan_type = models.SlugField(max_length=30)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=_choices(SubscriptionStatus), default=SubscriptionStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="billing_subscription_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["user", "plan_type"],
                condition=models.Q(status="active"),
                name="billing_subscription_one_active_per_type",
            ),
        ]
        indexes = [models.Index(fields=["user", "-id"], name="billing_sub_user_idx")]

    def __str__(self) -> str:
        period = f"{self.start_date} to {self.end_date}"
        return f"plan #{self.plan_id} for user #{self.user_id} ({self.status}, {period})"


class Account(models.Model):
    # The organization's id, by value: adapters of different contexts never import each other,
    # and the account is opened in the same transaction as the organization.
    organization_id = models.BigIntegerField(primary_key=True)
    balance_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    invoice_sequence = models.PositiveIntegerField(default=0, help_text="Last invoice number.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_cents__gte=0),
                name="billing_account_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"account of organization #{self.organization_id}: {self.balance_cents} {self.currency}"
        )


class Invoice(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField()
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=4, choices=_choices(InvoiceStatus), default=InvoiceStatus.OPEN
    )
    due_date = models.DateField()
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True, default="")
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "number"], name="billing_invoice_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="billing_invoice_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status="paid", paid_at__isnull=False)
                | (~models.Q(status="paid") & models.Q(paid_at__isnull=True)),
                name="billing_invoice_paid_at_iff_paid",
            ),
        ]
        indexes = [
            # The list: an organization's invoices newest first, optionally by status; the
            # keyset cursor seeks on (issued_at, id).
            models.Index(fields=["account", "-issued_at", "-id"], name="billing_inv_list_idx"),
            models.Index(
                fields=["account", "status", "-issued_at", "-id"], name="billing_inv_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"invoice {self.number} of organization #{self.account_id} ({self.status})"


class LedgerEntry(models.Model):
    """Append-only: rows are inserted by the account services and never updated or deleted."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_cents = models.BigIntegerField(help_text="Signed: credits > 0, payments < 0.")
    kind = models.CharField(max_length=20, choices=_choices(EntryKind))
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    actor_id = models.BigIntegerField(help_text="The user who caused the change.")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_cents=0), name="billing_entry_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="credit", amount_cents__gt=0, invoice__isnull=True))
                | (models.Q(kind="invoice_payment", amount_cents__lt=0, invoice__isnull=False)),
                name="billing_entry_kind_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="billing_entry_list_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents:+d} on organization #{self.account_id}"
