"""Input serializers that whitelist: unknown fields and wrongly-typed values are 400s.

DRF silently drops unknown keys and coerces numbers into strings; for an API that promises
"the fields you send are the fields we read", both would hide client bugs and mass-assignment
attempts. Every write serializer derives from ``StrictInputSerializer``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

UNKNOWN_FIELD_MESSAGE = "Unknown or read-only field; accepted fields: {accepted}."


class StrictInputSerializer(serializers.Serializer[Any]):
    """Rejects any key that is not a writable field of the serializer."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = [name for name, field in self.fields.items() if not field.read_only]
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                message = UNKNOWN_FIELD_MESSAGE.format(accepted=", ".join(writable) or "none")
                raise serializers.ValidationError({key: [message] for key in unknown})
        return super().to_internal_value(data)


class WholeInputSerializer(StrictInputSerializer):
    """Every field is required, in a PATCH too; any other field is rejected."""

    # Never partial, for a PATCH that needs all of its fields (e.g. a member's new role): the
    # view validates it whole, and drf-spectacular documents a PATCH body as partial (dropping
    # ``required``) unless its serializer refuses to become partial.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        """Ignored: the fields of this serializer are required in a PATCH too."""


def _strict_string(field: serializers.CharField, data: Any) -> str:
    """Only a JSON string, and no longer than ``max_length`` as sent: DRF measures the value
    after trimming its whitespace, which would accept more than the schema's maxLength."""
    if not isinstance(data, str):
        field.fail("not_a_string")
    if field.max_length is not None and len(data) > field.max_length:
        field.fail("max_length", max_length=field.max_length)
    return data


class StrictCharField(serializers.CharField):
    """A CharField that takes only JSON strings (DRF's would turn 42 into "42")."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(_strict_string(self, data))


# What the emailed one-time tokens need, with room to spare.
TOKEN_MAX_LENGTH = 200


def token_field() -> StrictCharField:
    """The ``token`` of an emailed link, sent back: write-only, never echoed in an error."""
    return StrictCharField(max_length=TOKEN_MAX_LENGTH, write_only=True)


class StrictEmailField(serializers.EmailField):
    """An EmailField that takes only JSON strings, as sent: " a@b.co" is not an email address
    (the schema's ``format: email`` says so too), so it is refused rather than trimmed."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(_strict_string(self, data))


class StrictChoiceField(serializers.ChoiceField):
    """A ChoiceField that takes only JSON strings (DRF's would match 1 against "1")."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """Takes only JSON integers (DRF's would take "12", 12.0 and "12.0")."""

    default_error_messages = {"not_an_integer": "Must be an integer."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_integer")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    """Takes only ISO 8601 date strings (YYYY-MM-DD)."""

    default_error_messages = {"not_a_string": "Must be a date string (YYYY-MM-DD)."}

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("not_a_string")
        return super().to_internal_value(value)


def reject_body(data: Any) -> None:
    """For endpoints that take no body: any field sent is a 400 naming it (not ignored)."""
    if isinstance(data, Mapping) and data:
        message = "Unknown field: this endpoint takes no request body."
        raise serializers.ValidationError({str(key): [message] for key in data})
