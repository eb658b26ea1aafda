from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "adapters.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from adapters.identity import openapi, problems  # noqa: F401  (openapi registers itself)

        problems.register()
