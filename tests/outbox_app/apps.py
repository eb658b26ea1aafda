from adapters.platform import contexts


class OutboxTestConfig(contexts.ContextConfig):
    """No models, routes or views: only outbox handlers."""

    name = "tests.outbox_app"
    label = "outbox_test"
    verbose_name = "Outbox test context"

    container = "container.OutboxTestContainer"
    wired_modules = ()
    urls = None
    problems = "problems"
    route_policies = ""  # no routes
    outbox_handlers = {"outbox_test.noted": "note", "outbox_test.flaky": "fail_some_times"}
