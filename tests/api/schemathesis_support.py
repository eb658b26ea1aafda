"""Support for tests/api/test_schemathesis.py: the schema as the running application serves it,
the cast of users and objects the generated requests act on, the hook that points generated ids
at that cast, and the object-level isolation check between two users.

- ``alice`` owns Acme (with ``carol`` as admin and ``dave`` as member) and, from each installed
  context's part of the cast, its objects (billing: a prepaid account with credit, an open
  invoice, a subscription). Every generated request is sent as alice.
- ``bob`` owns Globex and its objects: the peer who must never see or touch alice's objects,
  and whose objects alice must never reach.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

import attrs
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import strategies as st
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth

from adapters.identity.models import User
from adapters.organizations.tokens import SignedInvitationTokens
from contexts.organizations.domain.model import InvitationId
from tests.api.route_policies import CastStage, collect
from tests.conftest import client_for
from tests.factories import DEFAULT_PASSWORD, make_user

SCHEMA_URL = "/api/v1/schema/?format=json"
OWNER, PEER = "alice", "bob"
EMAILS = {OWNER: "alice@example.com", PEER: "bob@example.com"}
# Coverage-phase cases are built, credentials included, while pytest collects the tests, before
# any database exists: the keys are fixed up front and each test stores them as knox would.
TOKENS = {name: secrets.token_hex(32) for name in (OWNER, PEER)}
# An id no object has (ids start at 1), for the "truly missing" side of the comparison.
MISSING_ID = "0"
_ID = re.compile(r"[0-9]{1,18}")


def load_schema() -> Any:
    """The OpenAPI schema the application serves, bound to that (WSGI) application, with alice
    and bob as the two identities of schemathesis' object-level authorization check."""
    application = get_wsgi_application()
    with _wfc_document() as path:
        config = SchemathesisConfig.from_dict(
            {"auth": {"wfc": {"path": path, "user": OWNER, "peers": [OWNER, PEER]}}}
        )
        schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application, config=config)
    schema.hooks.hook("flatmap_path_parameters")(_known_path_parameters)
    return schema


@contextmanager
def _wfc_document() -> Iterator[str]:
    """A Web Fuzzing Commons auth document (schemathesis' format for several users)."""
    document = {
        "auth": [
            {
                "name": name,
                "fixedHeaders": [{"name": "Authorization", "value": f"Token {TOKENS[name]}"}],
            }
            for name in (OWNER, PEER)
        ]
    }
    handle, path = tempfile.mkstemp(suffix=".json", prefix="schemathesis-wfc-")
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(document, file)
        yield path
    finally:
        os.unlink(path)


# --- the cast ----------------------------------------------------------------------------------


@attrs.frozen
class Cast:
    """Ids of the objects the generated requests act on, by path parameter name."""

    # Path parameter name → ids to draw from (repeats weigh the draw towards alice's objects).
    known: dict[str, list[str]]
    # Path parameter name → ids of bob's objects, which alice must never reach.
    peers: dict[str, set[str]]
    # Values for body fields of the same name, one set per pick (see use_known_values).
    bodies: list[dict[str, str]]
    # Requests (method and path) already replayed as bob: once per object is enough.
    replayed: set[tuple[str, str]] = attrs.field(factory=set)
    # Operations shown to refuse missing and invalid credentials (see ignored_auth_once).
    auth_enforced: set[str] = attrs.field(factory=set)
    _picks: dict[frozenset[str], st.SearchStrategy[dict[str, str | None]]] = attrs.field(
        factory=dict
    )

    def picks(self, names: frozenset[str]) -> st.SearchStrategy[dict[str, str | None]]:
        """For each parameter in ``names``, one of the known ids or None (keep the generated
        id). Built once per set of names: hypothesis strategies are costly to create."""
        if names not in self._picks:
            self._picks[names] = st.fixed_dictionaries(
                {name: st.sampled_from([*self.known[name], None]) for name in sorted(names)}
            )
        return self._picks[names]


_casts: list[Cast] = []


def current_cast() -> Cast | None:
    return _casts[-1] if _casts else None


@contextmanager
def cast_of_characters() -> Iterator[Cast]:
    """Create the cast (in the test's transaction) and make it the current one."""
    cast = _create_cast()
    _casts.append(cast)
    try:
        yield cast
    finally:
        _casts.remove(cast)


def _create_cast() -> Cast:
    """Identity's and organizations' part (users, tokens, organizations, memberships), then
    each installed context's (its route policies' ``SCHEMATHESIS_CAST``)."""
    alice = make_user(email=EMAILS[OWNER], profile__name="Alice")
    bob = make_user(email=EMAILS[PEER], profile__name="Bob")
    carol = make_user(email="carol@example.com", profile__name="Carol")
    dave = make_user(email="dave@example.com", profile__name="Dave")
    erin = make_user(email="erin@example.com", profile__name="Erin")  # in no organization
    staff = make_user(email="staff@example.com", profile__name="Staff", is_staff=True)
    _issue(alice, TOKENS[OWNER])
    _issue(bob, TOKENS[PEER])
    clients = {OWNER: client_for(alice), PEER: client_for(bob), "staff": client_for(staff)}
    stage = CastStage(organizations={}, clients=clients)

    # Through the API, so that everything a real client would set off happens (each context
    # reacts to a new organization as it would in production).
    acme = stage.post(OWNER, "/api/v1/orgs", {"name": "Acme"})
    globex = stage.post(PEER, "/api/v1/orgs", {"name": "Globex"})
    tokens = SignedInvitationTokens()
    for user, role in [(carol, "admin"), (dave, "member")]:
        invitation = {"email": user.email, "role": role}
        invitation_id = stage.post(OWNER, f"/api/v1/orgs/{acme}/invitations", invitation)
        token = tokens.issue(InvitationId(int(invitation_id)))
        accepted = client_for(user).post(
            "/api/v1/invitations/accept", {"token": token}, format="json"
        )
        assert accepted.status_code == HTTPStatus.OK, accepted.content

    ids = [str(pk) for pk in (alice.pk, carol.pk, dave.pk, bob.pk)]
    cast = Cast(
        known={"org_id": [acme, acme, acme, globex], "user_id": ids},
        peers={"org_id": {globex}, "user_id": {str(bob.pk)}},
        bodies=[
            {"email": EMAILS[OWNER], "password": DEFAULT_PASSWORD},
            {"email": erin.email},
            {"email": carol.email},
        ],
    )
    stage = CastStage(organizations={OWNER: acme, PEER: globex}, clients=clients)
    for build in collect().casts:
        part = build(stage)
        cast.known.update(part.known)
        cast.peers.update(part.peers)
        for index, values in enumerate(part.body_values):
            if index == len(cast.bodies):
                cast.bodies.append({})
            cast.bodies[index].update(values)
    return cast


def _issue(user: User, token: str) -> None:
    """Store ``token`` for ``user`` as ``AuthToken.objects.create`` stores the key it makes up:
    a digest, the key's prefix and an expiry."""
    AuthToken(
        user=user,
        digest=hash_token(token),
        token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
        expiry=timezone.now() + knox_settings.TOKEN_TTL,
    ).save(force_insert=True)


def use_known_values(case: Any) -> None:
    """Give half of the schema-valid bodies the cast's values for the fields they share with
    it (alice's credentials, a registered user's email, a plan on offer), so that logins
    succeed, members get added, emails clash and subscriptions start. Valid values replace
    valid ones, so the case stays positive; negative cases are left alone."""
    cast = current_cast()
    meta = case.meta
    if cast is None or meta is None or not meta.generation.mode.is_positive:
        return
    if not isinstance(case.body, dict):
        return
    # The pick follows from the generated body, so a fixed seed keeps the run reproducible.
    pick = zlib.crc32(repr(case.body).encode()) % (2 * len(cast.bodies))
    if pick >= len(cast.bodies):
        return
    for name, value in cast.bodies[pick].items():
        if isinstance(case.body.get(name), str):
            case.body[name] = value


def _known_path_parameters(context: Any, parameters: Any) -> Any:
    """schemathesis ``flatmap_path_parameters`` hook: a well-formed id of a known kind is
    replaced by one of the cast's ids most of the time; the generated one stays possible (for
    404s). Malformed ids are left alone, so negative cases stay negative."""
    cast = current_cast()
    if cast is None or not isinstance(parameters, dict):
        return st.just(parameters)
    names = frozenset(
        name
        for name, value in parameters.items()
        if name in cast.known and isinstance(value, str) and _ID.fullmatch(value)
    )
    if not names:
        return st.just(parameters)
    return cast.picks(names).map(functools.partial(_merge_picks, parameters))


def _merge_picks(parameters: dict[str, Any], picks: dict[str, str | None]) -> dict[str, Any]:
    return {**parameters, **{name: pick for name, pick in picks.items() if pick is not None}}


# --- object-level isolation between alice and bob ----------------------------------------------


def object_level_isolation(ctx: Any, response: Any, case: Any) -> bool | None:
    """A schemathesis check for the creed's "object-level access" and "404 hides" rules:

    - alice never succeeds on a path naming one of bob's objects;
    - whatever alice reaches through a path naming one of her objects, bob gets a 404 for,
      byte-for-byte the body of a truly missing id (the request is replayed as bob, then with
      missing ids). Paths naming none of the cast's objects are left to schemathesis' own
      ``object_level_authorization`` (objects made during a stateful scenario), so that an
      object everyone may see by design (a catalogue entry, say) is never taken for a leak.
    """
    cast = current_cast()
    status = response.status_code
    if cast is None or not case.path_parameters or not 200 <= status < 300:
        return None
    # Only alice's own requests (not schemathesis' probes with other methods or credentials).
    if case.auth_identity != OWNER or case.method.upper() != case.operation.method.upper():
        return None
    foreign = sorted(
        f"{name}={value}"
        for name, value in case.path_parameters.items()
        if str(value) in cast.peers.get(name, set())
    )
    if foreign:
        raise AssertionError(
            f"alice got {status} for bob's object ({', '.join(foreign)}) at {case.formatted_path}"
        )
    alices = [
        name
        for name, value in case.path_parameters.items()
        if str(value) in cast.known.get(name, ()) and str(value) not in cast.peers.get(name, ())
    ]
    request = (case.method.upper(), case.formatted_path)
    if not alices or request in cast.replayed:
        return None
    cast.replayed.add(request)
    as_bob = _as_peer(case)
    peer_response = as_bob.call()
    missing = _as_peer(case)
    missing.path_parameters = dict.fromkeys(case.path_parameters, MISSING_ID)
    missing_response = missing.call()
    if peer_response.status_code != HTTPStatus.NOT_FOUND or (
        peer_response.content != missing_response.content
    ):
        raise AssertionError(
            f"alice's {case.method} {case.formatted_path} answered {status}; as bob it answered "
            f"{peer_response.status_code} {peer_response.content[:300]!r}, where a missing id "
            f"answers {missing_response.status_code} {missing_response.content[:300]!r}"
        )
    return None


def ignored_auth_once(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' ``ignored_auth`` check (a success with credentials is replayed without
    them and with invalid ones: both must be refused), run once per operation and test, as
    schemathesis' own runner does: enforcement is a property of the operation, and called
    directly the check would repeat both probes after every successful example."""
    cast = current_cast()
    if cast is not None:
        ctx.auth_enforced_operations = cast.auth_enforced
    result: bool | None = ignored_auth(ctx, response, case)
    return result


def _as_peer(case: Any) -> Any:
    headers = case.headers.copy()
    headers["Authorization"] = f"Token {TOKENS[PEER]}"
    return case.derive(headers=headers)


# --- the database connection -------------------------------------------------------------------


@contextmanager
def database_connection_kept_open() -> Iterator[None]:
    """A raw WSGI call fires request_started/finished, whose close_old_connections would close
    the test's connection (and with it the test's transaction); Django's test client
    disconnects it too. (So no test client call may happen inside: it reconnects it.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
