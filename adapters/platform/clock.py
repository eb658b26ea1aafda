"""The real clock, for services that take a ``Clock`` port (tests pass a fixed one)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


class DjangoClock:
    def now(self) -> datetime:
        return timezone.now()

    def today(self) -> date:
        return timezone.localdate()
