"""``Idempotency-Key`` for POSTs that move money.

The key is required (400 without it) and scoped to the user. The first request's response is
stored in the same transaction as the work it did; a replay with the same key and the same
request returns that response again (with ``Idempotent-Replayed: true``) and leaves nothing
else behind; the same key with a different request is a 422.

The request runs in one transaction (``all_or_nothing``: its units of work take no savepoints)
that ends with one statement storing the answer, which is also the claim of the key
(``store.store_first_answer``). If a record of the key was there first, the transaction rolls
back and the stored answer is replayed: a replay, or a concurrent twin, may run the work, but
never commits it. On PostgreSQL a twin's insert waits for the first request's transaction and
then finds its record; on SQLite write transactions are serialized (IMMEDIATE) and the second
finds it directly. So a key has one effect, and every request with it gets the same answer.

Client errors (4xx) are stored and replayed too, so a retry sees the same outcome: the
transaction that raised one is rolled back (its partial work with it), and the answer is
stored by itself afterwards, under the same rule (a record that got there first wins). Server
errors are not stored, so a retry after one may succeed.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import orjson
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.platform.idempotency.store import StoredAnswer, store_first_answer, stored_answer
from adapters.platform.persistence.transactions import all_or_nothing
from adapters.platform.rest.actors import request_actor
from adapters.platform.rest.problems import ProblemType, problem_exception_handler, problem_response
from adapters.platform.rest.rendering import PROBLEM_CONTENT_TYPE, ORJSONRenderer

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = "^[!-~]{1,255}$"  # printable ASCII (0x21-0x7e), no spaces; stated in the schema
_ACCEPTABLE_KEY = re.compile(KEY_PATTERN)

KEY_REUSED = ProblemType(
    422, "idempotency-key-reused", "The Idempotency-Key was used for a different request."
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "pattern": KEY_PATTERN, "minLength": 1, "maxLength": 255},
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique key per operation (e.g. a UUID), at most 255 printable ASCII characters. "
        "Retrying with the same key and body returns the first response without repeating "
        "the operation; the same key with another body is a 422."
    ),
)

V = TypeVar("V", bound=APIView)
Handler = Callable[..., Response]
Answer = Response | HttpResponse


def _fingerprint(request: Request) -> str:
    body = orjson.dumps(request.data, option=orjson.OPT_SORT_KEYS)
    parts = [(request.method or "").encode(), request.path.encode(), body]
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


def _replay(stored: StoredAnswer, fingerprint: str) -> Answer:
    if stored.fingerprint != fingerprint:
        return problem_response(
            KEY_REUSED,
            "This Idempotency-Key was already used with a different request; use a new key.",
        )
    content_type = PROBLEM_CONTENT_TYPE if stored.status_code >= 400 else "application/json"
    response = HttpResponse(stored.body, status=stored.status_code, content_type=content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(handler: Handler) -> Callable[..., Answer]:
    """Make a view method idempotent under the ``Idempotency-Key`` header (see module doc)."""

    @functools.wraps(handler)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Answer:
        key = request.headers.get(HEADER, "")
        if not _ACCEPTABLE_KEY.fullmatch(key):
            raise ValidationError(
                {HEADER: ["Required: a unique key of 1 to 255 printable ASCII characters."]}
            )
        request_key = _RequestKey(request_actor(request).user_id, key, _fingerprint(request))
        answer: Response | None
        try:
            with all_or_nothing():
                answer = handler(view, request, *args, **kwargs)
                if transaction.get_rollback() or answer.status_code >= 500:
                    # Nothing of this transaction is kept: a unit of work left without
                    # commit() doomed it, or the answer is a server error. The answer is
                    # stored (or not) on its own, below.
                    transaction.set_rollback(True)
                elif request_key.store(answer):
                    return answer  # committed on the way out, with the work
                else:
                    # The key's first answer got there first: undo this request's work.
                    transaction.set_rollback(True)
                    answer = None
        except Exception as error:
            answer = _client_error(error, view, request)  # raises anything but a 4xx
        if answer is None:
            return request_key.replay()
        # The transaction was rolled back; the client's answer is stored by itself.
        if answer.status_code >= 500 or request_key.store(answer):
            return answer
        return request_key.replay()

    return wrapper


@attrs.frozen
class _RequestKey:
    """The user's key, and the fingerprint of the request that came with it."""

    user_id: int
    key: str
    fingerprint: str

    def store(self, response: Response) -> bool:
        """Store the response as the key's first answer; False if the key had one."""
        return store_first_answer(
            user_id=self.user_id,
            key=self.key,
            fingerprint=self.fingerprint,
            status_code=response.status_code,
            # Stored as the JSON the client receives, replayed verbatim.
            body=ORJSONRenderer().render(response.data).decode(),
        )

    def replay(self) -> Answer:
        return _replay(stored_answer(user_id=self.user_id, key=self.key), self.fingerprint)


def _client_error(error: Exception, view: APIView, request: Request) -> Response:
    """The problem response to a client error (4xx) the handler raised; anything else
    (a server error, or an exception DRF does not know) is raised again, unanswered."""
    response = problem_exception_handler(error, {"view": view, "request": request})
    if response is None or response.status_code >= 500:
        raise error
    return response
