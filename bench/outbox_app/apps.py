from adapters.platform import contexts


class BenchOutboxConfig(contexts.ContextConfig):
    """No models, routes or views: one outbox handler (and a plain task, ``tasks.py``)."""

    name = "bench.outbox_app"
    label = "bench_outbox"
    verbose_name = "Outbox benchmark context"

    container = "container.BenchOutboxContainer"
    wired_modules = ()
    urls = None
    problems = "problems"
    route_policies = ""  # no routes
    outbox_handlers = {"bench_outbox.ping": "receive"}
