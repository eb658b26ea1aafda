"""When a failed delivery is tried again: exponential backoff with a cap, then give up.

Plain Python, no Django: the numbers come from settings (``OUTBOX_MAX_ATTEMPTS``,
``OUTBOX_RETRY_BACKOFF_SECONDS``, ``OUTBOX_RETRY_BACKOFF_MAX_SECONDS``) through ``delivery``.
"""

from __future__ import annotations

import math
import random

import attrs


@attrs.frozen
class RetryPolicy:
    """After the n-th failed attempt, wait ``backoff_seconds * 2 ** (n - 1)`` seconds (at most
    ``backoff_max_seconds``) and try again, until ``max_attempts`` attempts have failed.

    With ``jitter`` the wait is drawn between half of that and all of it, so that messages that
    failed together (a mail server that was down) do not all come back at the same instant.
    """

    max_attempts: int = attrs.field(validator=attrs.validators.ge(1))
    backoff_seconds: float = attrs.field(validator=attrs.validators.ge(0))
    backoff_max_seconds: float = attrs.field(validator=attrs.validators.ge(0))
    jitter: bool = True

    def countdown(self, failed_attempts: int) -> float | None:
        """Seconds to wait before the next attempt, or None: that was the last one."""
        if failed_attempts >= self.max_attempts:
            return None
        exponent = min(max(failed_attempts - 1, 0), 64)  # 2 ** 64 seconds is past any cap
        delay = min(self.backoff_max_seconds, math.ldexp(self.backoff_seconds, exponent))
        if self.jitter:
            delay *= random.uniform(0.5, 1.0)  # noqa: S311  (spreading retries, not secrecy)
        return delay
