from adapters.platform import contexts


class IdentityConfig(contexts.ContextConfig):
    name = "adapters.identity"
    label = "identity"
    verbose_name = "Identity"

    container = "container.IdentityContainer"
    wired_modules = ("views",)
    urls = "urls"
    problems = "problems"
    demo_data = "demo"
    route_policies = "tests.api.identity.route_policies"

    def ready(self) -> None:
        super().ready()
        from adapters.identity import openapi  # noqa: F401  (documents the token scheme)
