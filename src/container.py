"""The composition root: one container per installed context, composed and cross-wired here.

The contexts come from INSTALLED_APPS (each declares its container, views, subscriptions and
outbox handlers in its AppConfig: ``adapters.platform.contexts``). This module adds what no
single context can know: which context provides which other context's port (``CONNECTIONS``),
the event bus, the outbox's handlers and transport, and the tenancy glue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import attrs
from dependency_injector import containers, providers
from django.core.exceptions import ImproperlyConfigured

from adapters.platform.contexts import ContextConfig, installed_contexts
from adapters.platform.outbox import delivery as outbox_delivery
from adapters.platform.outbox import relay as outbox_relay
from adapters.platform.outbox.container import OutboxContainer
from adapters.platform.outbox.ports import OutboxHandler
from adapters.platform.tenancy import views as tenancy_views
from adapters.platform.tenancy.container import TenancyContainer
from kernel.events import EventHandler, Payload
from src.events import EventBus
from src.outbox import transport_provider

TENANCY = "tenancy"
OUTBOX = "outbox"
EVENTS = "events"  # the name of the event-bus dependency in a context's container


@attrs.frozen
class Connection:
    """``consumer``'s container dependency ``port`` is ``provider``'s ``provided_by``."""

    consumer: str
    port: str
    provider: str
    provided_by: str = "api"


# Every cross-context port, in one place. A connection applies when its consumer is installed;
# a consumer without its provider is a configuration error, named at startup.
CONNECTIONS: tuple[Connection, ...] = (
    Connection(consumer="organizations", port="users", provider="identity"),
    # The invoice emails' recipients: an organization's owners and admins, and the payer.
    Connection(consumer="billing", port="organizations", provider="organizations"),
    Connection(consumer="billing", port="users", provider="identity"),
    # Tenancy (platform glue) asks organizations for roles; billing's routes are protected by
    # it, so billing never imports organizations.
    Connection(consumer=TENANCY, port="memberships", provider="organizations"),
)


class ApplicationContainer(containers.DynamicContainer):
    """One ``providers.Container`` per installed context, by app label (``application.billing``),
    the tenancy glue (``application.tenancy``), the outbox (``application.outbox``: its
    ``handlers`` and ``transport``) and the event bus (``application.events``)."""

    def __getattr__(self, name: str) -> Any:
        # Only for names that are not providers (those are instance attributes): typed as Any so
        # that ``application.billing.invoice_service()`` type-checks in tests and commands.
        raise AttributeError(name)


def build_container(*, wire: bool = True) -> ApplicationContainer:
    """Create the application container and wire every context's modules to its own container.

    Each context container *instance* is wired: markers such as
    ``Provide[BillingContainer.invoice_service]`` resolve against it, and overrides made on it
    in tests reach the views.
    """
    contexts = installed_contexts()
    application = ApplicationContainer()
    application.set_provider(TENANCY, providers.Container(TenancyContainer))
    for context in contexts:
        application.set_provider(context.label, providers.Container(context.container_class()))
    application.set_provider(
        EVENTS, providers.Singleton(EventBus, handlers=_subscriptions(application, contexts))
    )
    outbox = providers.Container(OutboxContainer)
    application.set_provider(OUTBOX, outbox)
    outbox.handlers.override(providers.Object(_outbox_handlers(application, contexts)))
    # Celery with a broker configured, else in-process (src/outbox.py).
    outbox.transport.override(transport_provider())
    _connect(application)
    if wire:
        _wire(application, contexts)
    return application


def _context_container(application: ApplicationContainer, label: str) -> Any:
    return application.providers[label]


def _connect(application: ApplicationContainer) -> None:
    for connection in CONNECTIONS:
        if connection.consumer not in application.providers:
            continue  # that context is not installed
        if connection.provider not in application.providers:
            raise ImproperlyConfigured(
                f"{connection.consumer} needs {connection.provider}'s {connection.provided_by} "
                f"(its {connection.port!r} port), but no context {connection.provider!r} is "
                "installed: add it to INSTALLED_APPS or drop the connection in src/container.py."
            )
        port = getattr(_context_container(application, connection.consumer), connection.port)
        port.override(
            getattr(_context_container(application, connection.provider), connection.provided_by)
        )
    for label, provider in application.providers.items():
        if not isinstance(provider, providers.Container):
            continue
        for name, dependency in provider.container.dependencies.items():
            if name == EVENTS:
                dependency.override(application.providers[EVENTS])
            elif not dependency.overridden:
                raise ImproperlyConfigured(
                    f"{label}'s container declares the dependency {name!r}, which nothing "
                    "provides: add a Connection for it in src/container.py."
                )


def _subscriptions(
    application: ApplicationContainer, contexts: Sequence[ContextConfig]
) -> dict[str, list[EventHandler]]:
    """Each context's ``subscriptions``: event name → handlers, resolved when an event comes
    (so that a test's override of a handler's provider applies)."""
    handlers: dict[str, list[EventHandler]] = {}
    for context in contexts:
        container = _context_container(application, context.label)
        for event_name, provider_name in context.subscriptions.items():
            handlers.setdefault(event_name, []).append(_handler(container, provider_name))
    return handlers


def _outbox_handlers(
    application: ApplicationContainer, contexts: Sequence[ContextConfig]
) -> dict[str, list[OutboxHandler]]:
    """Each context's ``outbox_handlers``: integration event name → handlers, each known to
    the inbox as ``"<label>.<provider>"`` and resolved when a message is delivered."""
    handlers: dict[str, list[OutboxHandler]] = {}
    for context in contexts:
        container = _context_container(application, context.label)
        for event_name, provider_name in context.outbox_handlers.items():
            handler = OutboxHandler(
                name=f"{context.label}.{provider_name}",
                handle=_handler(container, provider_name),
            )
            handlers.setdefault(event_name, []).append(handler)
    return handlers


def _handler(container: Any, provider_name: str) -> EventHandler:
    provider: Callable[[], EventHandler] = getattr(container, provider_name)

    def handle(payload: Payload) -> None:
        provider()(payload)

    return handle


def _wire(application: ApplicationContainer, contexts: Sequence[ContextConfig]) -> None:
    wiring: list[tuple[containers.Container, list[ModuleType]]] = [
        (_context_container(application, c.label).container, c.modules_to_wire()) for c in contexts
    ]
    wiring.append((_context_container(application, TENANCY).container, [tenancy_views]))
    wiring.append(
        (_context_container(application, OUTBOX).container, [outbox_relay, outbox_delivery])
    )
    for index, (container, modules) in enumerate(wiring):
        # The views share DRF's base classes: what wiring learns of their methods is kept
        # for the next context, and dropped after the last.
        last = index == len(wiring) - 1
        container.wire(
            modules=[_own_members(module) for module in modules],
            warn_unresolved=True,
            keep_cache=not last,
        )


def _own_members(module: ModuleType) -> ModuleType:
    """``module`` as wiring needs to see it: only what the module itself defines.

    ``wire()`` walks every member of every class it finds in a module. In a views module more
    than half of those are imported (DRF's classes, fields, services, enums), none of them holds
    an ``@inject`` method, and walking them cost about 14 ms of every start.
    """
    own = ModuleType(module.__name__, module.__doc__)
    own.__dict__.update(
        (name, value)
        for name, value in vars(module).items()
        if getattr(value, "__module__", None) == module.__name__
    )
    return own


# Set by CompositionRootConfig.ready(); tests override providers on it.
application: ApplicationContainer
