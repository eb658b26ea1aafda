from django.apps import AppConfig
from django.urls import register_converter


class PlatformConfig(AppConfig):
    name = "adapters.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        import adapters.platform.creed_checks  # noqa: F401  (registers the creed checks)
        from adapters.platform import checks  # noqa: F401  (registers the deploy checks)
        from adapters.platform.converters import IdConverter

        register_converter(IdConverter, "id")
