"""URL converters. ``<id:name>`` matches database ids only (1 to 18 digits), so an absurd id is
an ordinary 404 instead of an integer overflow in the database driver."""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
