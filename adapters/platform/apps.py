from django.apps import AppConfig
from django.urls import register_converter


class PlatformConfig(AppConfig):
    name = "adapters.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        import adapters.platform.checks  # noqa: F401  (registers the system checks)
        from adapters.platform.http.converters import IdConverter
        from adapters.platform.persistence import timestamps

        register_converter(IdConverter, "id")
        connection_created.connect(
            timestamps.use_compiled_timestamp_loader, dispatch_uid=timestamps.DISPATCH_UID
        )
