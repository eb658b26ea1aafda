"""The JSON renderer encodes what a response may carry beyond orjson's own types."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import orjson
import pytest
from django.utils.translation import gettext_lazy

from adapters.platform.rest.rendering import ORJSONRenderer


def render(data: object) -> object:
    return orjson.loads(ORJSONRenderer().render(data))


def test_decimals_lazy_strings_durations_and_sets_are_encoded() -> None:
    assert render(
        {
            "amount": Decimal("12.30"),
            "detail": gettext_lazy("Not found."),
            "ttl": timedelta(minutes=2),
            "tags": {"a"},
        }
    ) == {"amount": "12.30", "detail": "Not found.", "ttl": "120.0", "tags": ["a"]}


def test_anything_else_is_a_type_error_not_a_silent_repr() -> None:
    with pytest.raises(TypeError, match="object"):
        ORJSONRenderer().render({"value": object()})
