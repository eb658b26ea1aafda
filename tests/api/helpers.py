"""Assertions every API test uses: the problem+json shape, above all."""

from __future__ import annotations

from typing import Any, Protocol


class TestResponse(Protocol):
    """What both Django's and DRF's test clients return."""

    status_code: int
    content: bytes

    def __getitem__(self, header: str) -> str: ...

    def json(self) -> Any: ...


PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(
    response: TestResponse, status: int, *, fields: set[str] | None = None
) -> dict[str, Any]:
    """Assert an RFC 9457 problem body with ``status``; with ``fields``, that exactly those
    fields are reported under ``errors``. Returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["type"].startswith("urn:bastion:problem:")
    if fields is not None:
        assert set(body.get("errors", {})) == fields, body
    return body
