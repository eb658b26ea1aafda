"""``Idempotency-Key`` for POSTs that move money.

The key is required (400 without it) and scoped to the user. The first request's response is
stored in the same transaction as the work it did; a replay with the same key and the same
request returns that response again (with ``Idempotent-Replayed: true``) and does nothing
else; the same key with a different request is a 422.

Concurrent requests with one key cannot both do the work: on PostgreSQL the second insert of
the key waits on the first transaction's unique-index entry and then finds its response; on
SQLite write transactions are serialized (IMMEDIATE) and the second finds it directly.
Client errors (4xx) are stored and replayed too, so a retry sees the same outcome; server
errors are not, so a retry after one may succeed.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.platform.idempotency.models import IdempotencyRecord
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


def _replay(record: IdempotencyRecord, fingerprint: str) -> Answer:
    if record.fingerprint != fingerprint:
        return problem_response(
            KEY_REUSED,
            "This Idempotency-Key was already used with a different request; use a new key.",
        )
    content_type = PROBLEM_CONTENT_TYPE if record.status_code >= 400 else "application/json"
    response = HttpResponse(
        record.response_body, status=record.status_code, content_type=content_type
    )
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
        user_id = request_actor(request).user_id
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            stored = (
                IdempotencyRecord.objects.select_for_update()
                .filter(user_id=user_id, key=key)
                .first()
            )
            if stored is not None:
                return _replay(stored, fingerprint)
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user_id=user_id,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=0,
                    )
            except IntegrityError:
                # A concurrent request with this key committed first (PostgreSQL waited for it).
                return _replay(IdempotencyRecord.objects.get(user_id=user_id, key=key), fingerprint)
            response = _run(handler, view, request, args, kwargs)
            record.status_code = response.status_code
            # Stored as the JSON the client received, replayed verbatim.
            record.response_body = ORJSONRenderer().render(response.data).decode()
            record.save(update_fields=["status_code", "response_body"])
        return response

    return wrapper


def _run(handler: Handler, view: APIView, request: Request, args: Any, kwargs: Any) -> Response:
    """Run the handler in a savepoint: a client error undoes its partial work but is answered
    (and stored) like a success; anything else propagates and rolls everything back."""
    try:
        with transaction.atomic():
            return handler(view, request, *args, **kwargs)
    except Exception as error:
        response = problem_exception_handler(error, {"view": view, "request": request})
        if response is None or response.status_code >= 500:
            raise
        return response
