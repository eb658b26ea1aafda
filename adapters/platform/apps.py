from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "adapters.platform"
    label = "platform"
    verbose_name = "Platform"
