from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    """``Idempotency-Key`` handling: the stored responses, the decorator that uses them, the
    command that prunes them. Shared by every context; it knows none of them."""

    name = "adapters.platform.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency"
