from adapters.platform import contexts


class WorkItemsConfig(contexts.ContextConfig):
    name = "adapters.work_items"
    label = "work_items"
    verbose_name = "Work items"

    container = "container.WorkItemsContainer"
    wired_modules = ("views",)
    urls = "urls"
    problems = "problems"
    demo_data = "demo"
    route_policies = "tests.api.work_items.route_policies"
