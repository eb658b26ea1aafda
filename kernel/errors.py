"""The base of every context's domain errors."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. ``message`` is worded for the client: adapters show it as
    the problem's detail, so it must say what went wrong without internals."""

    message = "The request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class InvalidField(DomainError):
    """A value breaks a rule; ``field`` names the request field it came from. Adapters show it
    as a validation problem with ``errors: {field: [message]}``."""

    def __init__(self, *, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
