"""Property-based API tests: schemathesis against the OpenAPI schema the application serves.

Every operation in the schema (whatever routes exist when the tests run) gets at least
SCHEMATHESIS_MAX_EXAMPLES generated requests (default 100) besides schemathesis' coverage cases,
positive and negative, sent with a real token. Every check schemathesis ships is on (bar
``max_response_time``, which needs a limit to be a check): responses must be documented
(status codes, content types, headers, bodies: success and problem+json alike), schema-valid
input accepted and schema-invalid input refused, authentication enforced, and no user may reach
another user's objects (see schemathesis_support). A stateful run then chains operations along
the links schemathesis infers (create an organization, then read, change and delete what it
made), which is where the checks that follow a resource from one request to the next
(use_after_free, ensure_resource_availability, object_level_authorization) come into play.

The input is derandomized: CI sends the same requests on every run. Set SCHEMATHESIS_SEED to an
integer to explore other inputs locally.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import ignored_auth

from adapters.platform.rest.pagination import CURSOR_PARAM, INVALID_CURSOR
from tests.api.helpers import problem_type
from tests.api.schemathesis_support import (
    Cast,
    cast_of_characters,
    database_connection_kept_open,
    ignored_auth_once,
    load_schema,
    object_level_isolation,
    use_known_values,
)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"))
STATEFUL_SCENARIOS = int(os.environ.get("SCHEMATHESIS_STATEFUL_SCENARIOS", "50"))
SEED = os.environ.get("SCHEMATHESIS_SEED")

T = TypeVar("T", bound=Callable[..., Any])

schema = load_schema()

# ``ignored_auth`` runs through ``ignored_auth_once`` (once per operation, as schemathesis' own
# runner does); every other check runs as schemathesis ships it.
EXCLUDED_CHECKS = [ignored_auth]
ADDITIONAL_CHECKS = [ignored_auth_once, object_level_isolation]

# --- The one narrowed check --------------------------------------------------------------------
# `positive_data_acceptance` expects every schema-valid request to be accepted. The answers below
# refuse schema-valid requests on purpose, for rules no JSON Schema can state. A 400 is let pass
# only when its problem body names exactly such fields, each with exactly that rule's message.
_WEAK_PASSWORD = re.compile(
    r"This password is too common\.|This password is entirely numeric\."
    r"|The password is too similar to the .+\."
)
SEMANTIC_REJECTIONS: dict[str, dict[str, re.Pattern[str]]] = {
    # Django's password validators: a common password, an all-digit one, or one too like the
    # email or name. (Their minimum length is in the schema, so a short password still fails.)
    "POST /api/v1/auth/register": {"password": _WEAK_PASSWORD},
    # Whether a password is the account's current one is data, not schema (and alice's is
    # never generated, so a new password is never judged).
    "POST /api/v1/me/password": {
        "current_password": re.compile(r"The current password is incorrect\."),
        "new_password": _WEAK_PASSWORD,
    },
    # Only a registered user can be added; which emails are registered is data, not schema.
    "POST /api/v1/orgs/{org_id}/members": {"email": re.compile(r"No registered user .*\.")},
    # The contract: an end date not after the start date is a 400; and which plan codes are on
    # offer is data, not schema.
    "POST /api/v1/me/subscriptions": {
        "end_date": re.compile(r"The end date must be after the start date\."),
        "plan": re.compile(r"No plan with this code is on offer\."),
    },
}

# The contract: an Idempotency-Key already used for another request is a 422. Whether a key was
# used is state (the stateful run reuses keys across steps), never something a schema can say.
# Likewise, whether a token is one the API emailed (and still valid) is state: a generated
# string is never one, and is answered 400 invalid-token.
SEMANTIC_PROBLEMS = {
    problem_type("idempotency-key-reused"),
    problem_type("invalid-token"),
}


def _semantic_rejection(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """schemathesis ``filter_failure`` hook: False drops the failure (see above)."""
    if not isinstance(failure, RejectedPositiveData):
        return True
    try:
        problem = response.json()
    except ValueError:  # not even JSON: certainly not one of these
        return True
    if not isinstance(problem, dict):
        return True
    if problem.get("type") in SEMANTIC_PROBLEMS:
        return False
    if response.status_code != 400:
        return True
    errors = problem.get("errors", {})
    allowed = dict(SEMANTIC_REJECTIONS.get(case.operation.label, {}))
    # A cursor is an opaque token the API issued; any other string is refused (the schema can
    # only say "string"), on every paginated list.
    if CURSOR_PARAM in case.query:
        allowed[CURSOR_PARAM] = re.compile(re.escape(INVALID_CURSOR))
    explained = bool(errors) and all(
        field in allowed and all(allowed[field].fullmatch(message) for message in messages)
        for field, messages in errors.items()
    )
    return not explained


schema.hooks.hook("filter_failure")(_semantic_rejection)


def _fixed_seed(test: T) -> T:
    """Derandomized (the same inputs every run) unless SCHEMATHESIS_SEED asks for others."""
    return test if SEED is None else seed(int(SEED))(test)


HYPOTHESIS_SETTINGS = settings(
    derandomize=SEED is None,
    deadline=None,
    # The database fixtures are function-scoped on purpose: each example rolls back instead.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    # No `explain` phase: it replays failing examples many times for little extra insight.
    phases=[Phase.explicit, Phase.generate, Phase.target, Phase.shrink],
)


@pytest.fixture
def characters(db: None) -> Iterator[Cast]:
    """The cast (created through the API, with Django's test client), then the raw WSGI calls
    of schemathesis with the test's database connection kept open."""
    with cast_of_characters() as cast, database_connection_kept_open():
        yield cast


@schema.parametrize()  # type: ignore[untyped-decorator]  # returns a bare Callable
@settings(HYPOTHESIS_SETTINGS, max_examples=MAX_EXAMPLES)
@_fixed_seed
def test_api_conforms_to_its_schema(case: Any, characters: Cast) -> None:
    # Each example runs in a savepoint rolled back afterwards: a logout, a removed member or a
    # locked-out email never leaks into the next example, and the cast stays as created.
    with transaction.atomic():
        use_known_values(case)
        case.call_and_validate(excluded_checks=EXCLUDED_CHECKS, additional_checks=ADDITIONAL_CHECKS)
        transaction.set_rollback(True)


def test_api_conforms_to_its_schema_across_requests(characters: Cast) -> None:
    """Stateful: scenarios of up to 6 chained requests; each scenario rolls back at its end."""

    @_fixed_seed
    class Scenario(schema.as_state_machine()):  # type: ignore[misc]  # schemathesis' class
        def setup(self) -> None:
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def before_call(self, case: Any) -> None:
            use_known_values(case)

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            case.validate_response(
                response,
                excluded_checks=EXCLUDED_CHECKS,
                additional_checks=ADDITIONAL_CHECKS,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    run_state_machine_as_test(
        Scenario,
        settings=settings(
            HYPOTHESIS_SETTINGS,
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            phases=[Phase.generate, Phase.shrink],
        ),
    )
