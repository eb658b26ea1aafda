"""Gunicorn's access log as one JSON object per request, whatever the request carries.

A format string (``--access-logformat``) pastes the decoded path, the user agent and other
client-controlled text into the line as they are: a ``"`` or a newline in them (``%22``,
``%0A`` in the path) breaks the JSON or forges a second entry (CWE-117). This logger builds
the entry as a dict and encodes it with ``json.dumps``, which escapes every quote, backslash
and control character. scripts/start selects it with ``--logger-class``.
"""

from __future__ import annotations

import json
import traceback
from datetime import timedelta
from typing import Any

from django.conf import settings
from gunicorn import glogging


class JSONAccessLogger(glogging.Logger):  # type: ignore[misc]  # gunicorn ships no types
    """The fields of the application's own JSON log lines (time, level, logger, service,
    message) and the request's, with the request id the application put in the X-Request-ID
    header."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        try:
            self.access_log.info(json.dumps(self.entry(resp, req, environ, request_time)))
        except Exception:  # a log line must never fail the request
            self.error(traceback.format_exc())

    def entry(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = self.atoms(resp, req, environ, request_time)
        method, path, status = atoms["m"], atoms["U"], int(atoms["s"])
        return {
            "time": atoms["t"],
            "level": "INFO",
            "logger": "gunicorn.access",
            "service": settings.PROJECT_SLUG,
            "message": f"{method} {path} {status}",
            "method": method,
            "path": path,
            "status": status,
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "remote_addr": atoms["h"],
            "user_agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o"),
        }
