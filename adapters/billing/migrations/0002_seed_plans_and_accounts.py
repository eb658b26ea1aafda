"""The default plan catalogue, and accounts for organizations created before billing existed.

Plans are business data that every environment needs (edit them in the admin afterwards).
New organizations get their account from the OrganizationCreated event, in the same
transaction; this covers the ones that predate the billing app.
"""

from django.conf import settings
from django.db import migrations

PLANS = [
    # code, name, plan type, price in cents, interval
    ("api-starter", "API Starter", "api", 0, "month"),
    ("api-pro", "API Pro", "api", 4900, "month"),
    ("api-pro-yearly", "API Pro (yearly)", "api", 49000, "year"),
    ("support-standard", "Standard support", "support", 1900, "month"),
    ("support-premium", "Premium support", "support", 9900, "month"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]  # Django's migration signature
    Plan = apps.get_model("billing", "Plan")
    Account = apps.get_model("billing", "Account")
    Organization = apps.get_model("organizations", "Organization")
    for code, name, plan_type, price, interval in PLANS:
        Plan.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "plan_type": plan_type,
                "price_cents": price,
                "currency": settings.BILLING_CURRENCY,
                "interval": interval,
            },
        )
    for organization_id in Organization.objects.values_list("pk", flat=True):
        Account.objects.get_or_create(
            organization_id=organization_id, defaults={"currency": settings.BILLING_CURRENCY}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("organizations", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
