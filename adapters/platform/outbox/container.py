"""The outbox's container: its two dependencies, provided by the composition root."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.platform.outbox.ports import HandlerDirectory, Transport


class OutboxContainer(containers.DeclarativeContainer):
    """Every installed context's ``outbox_handlers``, and the transport that reaches them
    (``src/container.py``)."""

    handlers: providers.Dependency[HandlerDirectory] = providers.Dependency()
    transport: providers.Dependency[Transport] = providers.Dependency()
