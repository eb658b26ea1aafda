"""Assertions every API test uses: the problem+json shape, above all; and reading the links of
the emails the API sends."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core import mail

from adapters.platform.rest.problems import PROBLEM_TYPE_PREFIX

# ``with deliver(): ...`` (the ``deliver`` fixture): what the block commits is delivered at its
# end, as after a real commit.
Deliver = Callable[[], AbstractContextManager[Any]]


class TestResponse(Protocol):
    """What both Django's and DRF's test clients return."""

    status_code: int
    content: bytes

    def __getitem__(self, header: str) -> str: ...

    def json(self) -> Any: ...


PROBLEM_KEYS = {"type", "title", "status", "detail"}


def problem_type(slug: str) -> str:
    """The ``type`` URI of the problem ``slug`` (``urn:<project slug>:problem:<slug>``)."""
    return PROBLEM_TYPE_PREFIX + slug


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
    assert body["type"].startswith(PROBLEM_TYPE_PREFIX)
    if fields is not None:
        assert set(body.get("errors", {})) == fields, body
    return body


def token_in(message: mail.EmailMessage, path: str) -> str:
    """The token of the one link in ``message``, which must lead to FRONTEND_URL + path."""
    links = re.findall(r"https?://\S+", str(message.body))
    assert len(links) == 1, message.body
    parts = urlsplit(links[0])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{settings.FRONTEND_URL}{path}"
    [token] = parse_qs(parts.query)["token"]
    return str(token)
