from django.apps import AppConfig
from django.urls import register_converter


class PlatformConfig(AppConfig):
    name = "adapters.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        import adapters.platform.checks  # noqa: F401  (registers the system checks)
        from adapters.platform.http.converters import IdConverter

        register_converter(IdConverter, "id")
