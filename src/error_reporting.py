"""Optional error reporting with Sentry, started by the settings when SENTRY_DSN is set.

sentry-sdk enables its Django, Celery and logging integrations by itself when those packages are
importable (they are); this module only decides what an event may carry: no personal data (no
user email or IP address, no cookies, no request bodies, no local variables), and the request id
of the request that raised, as a tag, so an event is found from a log line and a log line from
an event. Without a DSN nothing here runs and the SDK sends nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sentry_sdk

if TYPE_CHECKING:
    from sentry_sdk.transport import Transport
    from sentry_sdk.types import Event, Hint

REQUEST_ID_TAG = "request_id"


def attach_request_id(event: Event, _hint: Hint) -> Event:
    """``before_send``: tag the event with the request id, when it happened in a request."""
    # Imported here: the settings start error reporting before Django's apps are loaded.
    from adapters.platform.http.request_context import current_request_id

    request_id = current_request_id()
    if request_id is not None:
        event.setdefault("tags", {})[REQUEST_ID_TAG] = request_id
    return event


def start(
    *,
    dsn: str,
    environment: str,
    release: str | None,
    traces_sample_rate: float,
    transport: type[Transport] | None = None,
) -> None:
    """Initialise the SDK (``transport``: the tests' stand-in for the network)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # What the integrations may collect (it supersedes send_default_pii): no user identity
        # (email, IP address), no cookies, no request bodies (passwords and one-time tokens
        # are in them, scrubbed or not), no local variables of the frames (the same values, in
        # the code that handles them) and no SQL parameters; headers through the SDK's
        # denylist, which removes Authorization.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        # Performance tracing is telemetry too: off unless SENTRY_TRACES_SAMPLE_RATE asks.
        traces_sample_rate=traces_sample_rate,
        before_send=attach_request_id,
        transport=transport,
    )
