from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """The transactional outbox and the inbox of processed events (see the package docstring).
    Shared by every context; which handlers an event has is told by the composition root."""

    name = "adapters.platform.outbox"
    label = "outbox"
    verbose_name = "Outbox"
