"""The fixed-window rate parser (the throttles themselves are exercised through the API)."""

import pytest

from adapters.platform.rest.throttling import parse_rate


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("20/minute", (20, 60)), ("5/s", (5, 1)), ("1200/min", (1200, 60)), ("3/hour", (3, 3600))],
)
def test_rates_parse_into_count_and_seconds(rate: str, expected: tuple[int, int]) -> None:
    assert parse_rate(rate) == expected
