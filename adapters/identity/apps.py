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
    # The account emails, sent after the commit (in a worker), each with its one-time link.
    outbox_handlers = {
        "identity.user_registered": "send_verification_email",
        "identity.verification_email_requested": "send_verification_email",
        "identity.password_reset_requested": "send_password_reset_email",
    }

    def ready(self) -> None:
        super().ready()
        from django.core.signals import request_finished, request_started

        from adapters.identity import openapi  # noqa: F401  (documents the token scheme)
        from adapters.identity.repositories import forget_request_users

        # The request-scoped identity map of the users a request loaded (repositories.py).
        request_started.connect(forget_request_users, dispatch_uid="identity.forget_users")
        request_finished.connect(forget_request_users, dispatch_uid="identity.forget_users_end")
