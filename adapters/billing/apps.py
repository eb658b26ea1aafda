from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "adapters.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from adapters.billing import problems

        problems.register()
