"""URL converters."""

from __future__ import annotations

# The largest id a BIGINT column holds. Larger numbers in a URL name nothing that exists.
_MAX_ID = 2**63 - 1


class IdConverter:
    """``<id:name>``: a database id. Any run of digits matches, so that an absurdly large id is
    answered exactly like any other missing one (same 404 body); it reaches the view as 0, an id
    no row has, rather than overflowing the database driver."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value) if len(value) <= 19 and int(value) <= _MAX_ID else 0

    def to_url(self, value: int) -> str:
        return str(value)
