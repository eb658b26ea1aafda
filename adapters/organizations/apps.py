from adapters.platform import contexts


class OrganizationsConfig(contexts.ContextConfig):
    name = "adapters.organizations"
    label = "organizations"
    verbose_name = "Organizations"

    container = "container.OrganizationsContainer"
    wired_modules = ("views",)
    urls = "urls"
    problems = "problems"
    demo_data = "demo"
    route_policies = "tests.api.organizations.route_policies"
    # The invitation email, sent after the commit (in a worker), with its one-time link.
    outbox_handlers = {"organizations.invitation_created": "send_invitation_email"}
