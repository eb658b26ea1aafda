"""Each rule of the API contract gate (adapters/platform/rest/contract.py), on tiny documents.

Most cases are one operation, ``POST /things``, whose request body and 200 response are the
schemas given; a case states the old and the new document and the lines the gate prints.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from adapters.platform.rest.contract import (
    api_entries,
    assess,
    breaking_changes,
    staleness,
)

Document = dict[str, Any]


def obj(*required: str, **properties: Any) -> dict[str, Any]:
    """An object schema; ``required`` names its required properties."""
    return {"type": "object", "properties": properties, "required": list(required)}


STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}


def api(
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    *,
    status: str = "200",
    errors: tuple[str, ...] = (),
    version: str = "1.0.0",
    components: dict[str, Any] | None = None,
    **operation: Any,
) -> Document:
    """A document with one operation, ``POST /things``."""
    body = {"application/json": {"schema": response if response is not None else obj()}}
    post: dict[str, Any] = {"responses": {status: {"description": "", "content": body}}}
    post["responses"] |= {code: {"description": "A problem."} for code in errors}
    if request is not None:
        post["requestBody"] = {"content": {"application/json": {"schema": request}}}
    post.update(operation)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": version},
        "paths": {"/things": {"post": post}},
        "components": {"schemas": components or {}},
    }


def with_path(document: Document, path: str, item: dict[str, Any]) -> Document:
    changed = copy.deepcopy(document)
    changed["paths"][path] = item
    return changed


def query(name: str, *, required: bool = False, **schema: Any) -> dict[str, Any]:
    return {"in": "query", "name": name, "required": required, "schema": schema or STRING}


OP = "POST /things"
BREAKING = [
    pytest.param(
        with_path(api(), "/others", {"get": {"responses": {}}}),
        api(),
        ["removed path /others"],
        id="removed path",
    ),
    pytest.param(
        with_path(
            api(), "/things", {"get": {"responses": {}}, "post": api()["paths"]["/things"]["post"]}
        ),
        api(),
        ["removed operation GET /things"],
        id="removed operation",
    ),
    pytest.param(
        api(response=obj("id", "email", id=INTEGER, email=STRING)),
        api(response=obj("id", id=INTEGER)),
        [f"removed response field `email` of {OP} 200"],
        id="removed response field",
    ),
    pytest.param(
        api(response=obj("id", id=INTEGER, nick=STRING)),
        api(response=obj("id", id=INTEGER)),
        [f"removed response field `nick` of {OP} 200"],
        id="removed optional response field",
    ),
    pytest.param(
        api(response=obj(results={"type": "array", "items": obj("email", email=STRING)})),
        api(response=obj(results={"type": "array", "items": obj()})),
        [f"removed response field `results[].email` of {OP} 200"],
        id="removed field of a list item",
    ),
    pytest.param(
        api(
            response={"$ref": "#/components/schemas/Thing"},
            components={"Thing": obj("a", a=STRING)},
        ),
        api(response={"$ref": "#/components/schemas/Thing"}, components={"Thing": obj()}),
        [f"removed response field `a` of {OP} 200"],
        id="removed field of a component",
    ),
    pytest.param(
        api(
            response={"allOf": [{"$ref": "#/components/schemas/Base"}, obj("b", b=STRING)]},
            components={"Base": obj("a", a=STRING)},
        ),
        api(
            response={"allOf": [{"$ref": "#/components/schemas/Base"}, obj("b", b=STRING)]},
            components={"Base": obj()},
        ),
        [f"removed response field `a` of {OP} 200"],
        id="removed field of an allOf part",
    ),
    pytest.param(
        api(response=obj("id", id=INTEGER)),
        api(response=obj(id=INTEGER)),
        [f"response field `id` of {OP} 200 became optional"],
        id="response field no longer always present",
    ),
    pytest.param(
        api(request=obj(kind={"type": "string", "enum": ["a", "b"]})),
        api(request=obj(kind={"type": "string", "enum": ["a"]})),
        [f"removed enum value `b` of request field `kind` of {OP}"],
        id="removed request enum value",
    ),
    pytest.param(
        api(response=obj(kind={"type": "string", "enum": ["a", "b"]})),
        api(response=obj(kind={"type": "string", "enum": ["a"]})),
        [f"removed enum value `b` of response field `kind` of {OP} 200"],
        id="removed response enum value",
    ),
    pytest.param(
        api(response=obj(kind={"type": "string", "enum": ["a"]})),
        api(response=obj(kind={"type": "string", "enum": ["a", "c"]})),
        [f"added enum value `c` to response field `kind` of {OP} 200"],
        id="new response enum value",
    ),
    pytest.param(
        api(response=obj(kind={"type": "string", "enum": ["a"]})),
        api(response=obj(kind=STRING)),
        [f"response field `kind` of {OP} 200 is no longer restricted to enum values"],
        id="response enum dropped",
    ),
    pytest.param(
        api(request=obj(kind=STRING)),
        api(request=obj(kind={"type": "string", "enum": ["a", "b"]})),
        [f"request field `kind` of {OP} is now restricted to `a`, `b`"],
        id="request enum added",
    ),
    pytest.param(
        api(request=obj(bio=STRING)),
        api(request=obj("name", bio=STRING, name=STRING)),
        [f"new required request field `name` of {OP}"],
        id="new required request field",
    ),
    pytest.param(
        api(request=obj(name=STRING)),
        api(request=obj("name", name=STRING)),
        [f"request field `name` of {OP} became required"],
        id="optional request field became required",
    ),
    pytest.param(
        api(request=obj(name=STRING, bio=STRING)),
        api(request=obj(name=STRING)),
        [f"removed request field `bio` of {OP}"],
        id="removed request field",
    ),
    pytest.param(
        api(),
        api(request=obj("name", name=STRING)),
        [f"new required request field `name` of {OP}"],
        id="a new body with a required field",
    ),
    pytest.param(
        api(request=obj(age=STRING)),
        api(request=obj(age=INTEGER)),
        [f"request field `age` of {OP} changed type from string to integer"],
        id="request type string to integer",
    ),
    pytest.param(
        api(request=obj(amount={"type": "number"})),
        api(request=obj(amount=INTEGER)),
        [f"request field `amount` of {OP} changed type from number to integer"],
        id="request type number to integer",
    ),
    pytest.param(
        api(response=obj(amount=INTEGER)),
        api(response=obj(amount={"type": "number"})),
        [f"response field `amount` of {OP} 200 changed type from integer to number"],
        id="response type integer to number",
    ),
    pytest.param(
        api(request=obj(name=STRING)),
        api(request=obj(name={"type": "string", "maxLength": 10})),
        [f"request field `name` of {OP}: new maxLength 10"],
        id="request maxLength added",
    ),
    pytest.param(
        api(request=obj(name={"type": "string", "maxLength": 150})),
        api(request=obj(name={"type": "string", "maxLength": 100})),
        [f"request field `name` of {OP}: maxLength lowered from 150 to 100"],
        id="request maxLength lowered",
    ),
    pytest.param(
        api(request=obj(n={"type": "integer", "minimum": 1, "maximum": 100})),
        api(request=obj(n={"type": "integer", "minimum": 2, "maximum": 50})),
        [
            f"request field `n` of {OP}: maximum lowered from 100 to 50",
            f"request field `n` of {OP}: minimum raised from 1 to 2",
        ],
        id="request range narrowed",
    ),
    pytest.param(
        api(request=obj(code=STRING)),
        api(request=obj(code={"type": "string", "pattern": "^[a-z]+$"})),
        [f"request field `code` of {OP}: new pattern `^[a-z]+$`"],
        id="request pattern added",
    ),
    pytest.param(
        api(request=obj(day={"type": "string", "format": "date"})),
        api(request=obj(day={"type": "string", "format": "date-time"})),
        [f"request field `day` of {OP} changed format from date to date-time"],
        id="request format changed",
    ),
    pytest.param(
        api(response=obj(day={"type": "string", "format": "date"})),
        api(response=obj(day=STRING)),
        [f"response field `day` of {OP} 200 changed format from date to none"],
        id="response format dropped",
    ),
    pytest.param(
        api(request=obj(bio={"type": "string", "nullable": True})),
        api(request=obj(bio=STRING)),
        [f"request field `bio` of {OP} no longer accepts null"],
        id="request no longer nullable",
    ),
    pytest.param(
        api(response=obj(paid_at=STRING)),
        api(response=obj(paid_at={"type": "string", "nullable": True})),
        [f"response field `paid_at` of {OP} 200 became nullable"],
        id="response became nullable",
    ),
    pytest.param(
        api(),
        api(status="201"),
        [f"removed success status 200 of {OP}"],
        id="removed success status",
    ),
    pytest.param(
        api(request=obj()),
        api(request=None),
        [f"{OP} no longer accepts application/json request bodies"],
        id="removed request body",
    ),
    pytest.param(
        api(parameters=[query("status")]),
        api(parameters=[]),
        [f"removed query parameter `status` of {OP}"],
        id="removed parameter",
    ),
    pytest.param(
        api(parameters=[]),
        api(parameters=[query("org", required=True)]),
        [f"new required query parameter `org` of {OP}"],
        id="new required parameter",
    ),
    pytest.param(
        api(parameters=[query("status")]),
        api(parameters=[query("status", required=True)]),
        [f"query parameter `status` of {OP} became required"],
        id="parameter became required",
    ),
    pytest.param(
        api(parameters=[query("size", type="integer")]),
        api(parameters=[query("size", type="integer", maximum=100)]),
        [f"query parameter `size` of {OP}: new maximum 100"],
        id="parameter narrowed",
    ),
    pytest.param(
        api(security=[{}]),
        api(security=[{"tokenAuth": []}]),
        [f"{OP} now requires authentication"],
        id="now requires authentication",
    ),
    pytest.param(
        # StrictCharField's blank-allowed form: the blank alternative is unchanged.
        api(
            request=obj(
                d={
                    "oneOf": [
                        {"type": "string", "maxLength": 500},
                        {"type": "string", "maxLength": 0},
                    ]
                }
            )
        ),
        api(
            request=obj(
                d={
                    "oneOf": [
                        {"type": "string", "maxLength": 400},
                        {"type": "string", "maxLength": 0},
                    ]
                }
            )
        ),
        [f"request field `d` of {OP}: maxLength lowered from 500 to 400"],
        id="narrowed oneOf alternative",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), BREAKING)
def test_a_breaking_difference_is_one_line(
    old: Document, new: Document, expected: list[str]
) -> None:
    assert breaking_changes(old, new) == expected


COMPATIBLE = [
    pytest.param(api(), with_path(api(), "/others", {"get": {"responses": {}}}), id="new path"),
    pytest.param(
        api(),
        with_path(
            api(), "/things", {"get": {"responses": {}}, "post": api()["paths"]["/things"]["post"]}
        ),
        id="new operation",
    ),
    pytest.param(
        api(request=obj(a=STRING)),
        api(request=obj(a=STRING, b=STRING)),
        id="new optional request field",
    ),
    pytest.param(
        api(response=obj("a", a=STRING)),
        api(response=obj("a", "b", a=STRING, b=STRING)),
        id="new response field",
    ),
    pytest.param(
        api(request=obj(kind={"type": "string", "enum": ["a"]})),
        api(request=obj(kind={"type": "string", "enum": ["a", "b"]})),
        id="new request enum value",
    ),
    pytest.param(
        api(request=obj("a", a=STRING)),
        api(request=obj(a=STRING)),
        id="request field became optional",
    ),
    pytest.param(
        api(response=obj(a=STRING)),
        api(response=obj("a", a=STRING)),
        id="response field always present",
    ),
    pytest.param(
        api(request=obj(n=INTEGER)),
        api(request=obj(n={"type": "number"})),
        id="request integer to number",
    ),
    pytest.param(
        api(response=obj(n={"type": "number"})),
        api(response=obj(n=INTEGER)),
        id="response number to integer",
    ),
    pytest.param(
        api(request=obj(a={"type": "string", "maxLength": 10, "minLength": 2})),
        api(request=obj(a={"type": "string", "maxLength": 20, "minLength": 1})),
        id="request bounds widened",
    ),
    pytest.param(
        api(response=obj(a={"type": "string", "maxLength": 10})),
        api(response=obj(a={"type": "string", "maxLength": 5, "pattern": "^x"})),
        id="response bounds are not compared",
    ),
    pytest.param(
        api(request=obj(a=STRING)),
        api(request=obj(a={"type": "string", "nullable": True})),
        id="request now nullable",
    ),
    pytest.param(
        api(response=obj(a={"type": "string", "nullable": True})),
        api(response=obj(a=STRING)),
        id="response no longer nullable",
    ),
    pytest.param(
        api(request=obj(a={"type": "string", "format": "date"})),
        api(request=obj(a=STRING)),
        id="request format dropped",
    ),
    pytest.param(
        api(response=obj(a=STRING)),
        api(response=obj(a={"type": "string", "format": "uri"})),
        id="response format added",
    ),
    pytest.param(
        api(response=obj(kind={"type": "string", "enum": ["a", "b"]})),
        api(
            response=obj(
                kind={"type": "string", "enum": ["a", "b"], "description": "Another text."}
            )
        ),
        id="descriptions",
    ),
    pytest.param(
        api(request=obj(id={"type": "integer", "readOnly": True}, a=STRING)),
        api(request=obj(a=STRING)),
        id="read-only fields are not sent",
    ),
    pytest.param(
        api(response=obj(password={"type": "string", "writeOnly": True})),
        api(response=obj()),
        id="write-only fields are not received",
    ),
    pytest.param(api(), api(request=obj(a=STRING)), id="a new body of optional fields"),
    pytest.param(api(), api(errors=("404",)), id="new error status"),
    pytest.param(api(errors=("429",)), api(), id="removed error status"),
    pytest.param(api(security=[{"tokenAuth": []}]), api(security=[{}]), id="now public"),
]


@pytest.mark.parametrize(("old", "new"), COMPATIBLE)
def test_a_compatible_difference_is_not_reported(old: Document, new: Document) -> None:
    assert breaking_changes(old, new) == []


def test_renaming_a_path_parameter_changes_nothing_but_its_schema_is_compared() -> None:
    def item(name: str, **schema: Any) -> dict[str, Any]:
        parameter = {"in": "path", "name": name, "required": True, "schema": schema}
        return {"get": {"parameters": [parameter], "responses": {}}}

    old = with_path(api(), "/things/{id}", item("id", type="string"))
    renamed = with_path(api(), "/things/{thing_id}", item("thing_id", type="string"))
    renamed["paths"].pop("/things/{id}", None)
    narrowed = with_path(api(), "/things/{thing_id}", item("thing_id", type="integer"))

    assert breaking_changes(old, renamed) == []
    assert breaking_changes(old, narrowed) == [
        "path parameter `id` of GET /things/{id} changed type from string to integer"
    ]


def test_a_recursive_component_is_compared_once_and_ends() -> None:
    def tree(*fields: str) -> dict[str, Any]:
        node = obj(
            children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            **dict.fromkeys(fields, STRING),
        )
        return api(response={"$ref": "#/components/schemas/Node"}, components={"Node": node})

    assert breaking_changes(tree("name"), tree("name")) == []
    assert breaking_changes(tree("name"), tree()) == [f"removed response field `name` of {OP} 200"]


def test_a_removed_path_is_one_line_not_one_per_operation() -> None:
    old = with_path(api(), "/others", {"get": {"responses": {}}, "delete": {"responses": {}}})

    assert breaking_changes(old, api()) == ["removed path /others"]


# --- the changelog ------------------------------------------------------------------------------

REMOVED = f"removed response field `email` of {OP} 200"
OLD = api(response=obj("email", email=STRING))
NEW = api(response=obj(), version="1.1.0")
CHANGELOG = """# Changelog

## [Unreleased]

{entry}
## API 1.0.0 — 2026-01-01

The first one.
"""


def test_no_breaking_change_passes() -> None:
    assessment = assess(OLD, OLD, CHANGELOG.format(entry=""))

    assert assessment.ok
    assert assessment.report() == "No breaking change since the released API 1.0.0."


def test_an_unrecorded_breaking_change_fails_with_each_line_and_what_to_do() -> None:
    changelog = CHANGELOG.format(entry="## API 1.1.0 — 2026-02-01\n\n- Nothing said.\n\n")

    assessment = assess(OLD, NEW, changelog)

    assert not assessment.ok
    assert assessment.unrecorded == (REMOVED,)
    report = assessment.report()
    assert f"- {REMOVED}\n" in report
    assert "CHANGELOG.md" in report
    assert "`## API 1.2.0 —" in report
    assert "make openapi" in report


def test_a_breaking_change_recorded_under_a_new_api_version_passes() -> None:
    # Wrapped as a Markdown list wraps it: spaces and line breaks do not matter.
    entry = (
        "## API 1.1.0 - 2026-02-01\n\n### Breaking\n\n"
        f"- {REMOVED.replace(' of ', chr(10) + '  of ', 1)}\n\n"
    )

    assessment = assess(OLD, NEW, CHANGELOG.format(entry=entry))

    assert assessment.ok, assessment.report()
    assert assessment.pending == ("1.1.0",)
    assert assessment.report().endswith(
        "When you release API 1.1.0, refresh docs/openapi-released.yaml with "
        "`make openapi-release` (it copies docs/openapi.yaml) and commit it."
    )


def test_a_line_recorded_under_the_released_version_does_not_count() -> None:
    changelog = f"## API 1.1.0 — 2026-02-01\n\nNew.\n\n## API 1.0.0 — 2026-01-01\n\n- {REMOVED}\n"

    assessment = assess(OLD, NEW, changelog)

    assert assessment.unrecorded == (REMOVED,)


def test_the_schema_version_must_be_the_newest_entry() -> None:
    entry = f"## API 1.1.0 — 2026-02-01\n\n- {REMOVED}\n\n"
    not_bumped = api(response=obj(), version="1.0.0")

    assessment = assess(OLD, not_bumped, CHANGELOG.format(entry=entry))

    assert not assessment.ok
    assert assessment.unrecorded == ()
    assert assessment.problems == (
        'docs/openapi.yaml is API 1.0.0 (SPECTACULAR_SETTINGS["VERSION"]), but the newest API '
        "entry of CHANGELOG.md is 1.1.0: make them agree, then run `make openapi`.",
    )


@pytest.mark.parametrize(
    ("changelog", "problem"),
    [
        (
            CHANGELOG.format(entry="## API 1.1 — 2026-02-01\n\n"),
            "CHANGELOG.md: '## API 1.1 — 2026-02-01' is not an API version heading",
        ),
        (
            CHANGELOG.replace("1.0.0", "0.9.0").format(entry=""),
            "CHANGELOG.md has no entry for the released API 1.0.0",
        ),
    ],
    ids=["malformed heading", "released version missing"],
)
def test_a_changelog_out_of_shape_is_a_problem(changelog: str, problem: str) -> None:
    assessment = assess(OLD, OLD, changelog)

    assert not assessment.ok
    assert any(problem in line for line in assessment.problems), assessment.problems


def test_api_entries_are_read_with_their_text() -> None:
    en_dash = "\u2013"
    changelog = (
        "# C\n\n## [Unreleased]\n\nx\n\n"
        f"## API 2.0.0\n\ntwo\n\n## API 1.10.0 {en_dash} 2026-01-01\none\n"
    )

    entries, malformed = api_entries(changelog)

    assert [(entry.name, entry.text) for entry in entries] == [
        ("2.0.0", "## API 2.0.0\n\ntwo\n\n"),
        ("1.10.0", f"## API 1.10.0 {en_dash} 2026-01-01\none\n"),
    ]
    assert malformed == []


# --- the committed schema ------------------------------------------------------------------------


def test_a_fresh_schema_is_not_stale() -> None:
    text = yaml.safe_dump(OLD)

    assert staleness(text, text) is None


def test_a_stale_schema_names_the_command_what_breaks_and_shows_the_diff() -> None:
    committed, generated = yaml.safe_dump(OLD), yaml.safe_dump(api(response=obj()))

    message = staleness(committed, generated)

    assert message is not None
    lines = message.splitlines()
    assert lines[0].startswith(
        "docs/openapi.yaml is not the schema the code generates: run `make openapi`"
    )
    assert f"- {REMOVED}" in lines
    assert "--- docs/openapi.yaml (committed)" in lines
    assert any(line.startswith("-") and "email" in line for line in lines[3:])


def test_a_long_diff_is_cut_short() -> None:
    committed = "\n".join(f"line {n}" for n in range(100))

    message = staleness(committed, committed.replace("line", "row"), shown=10)

    assert message is not None
    assert message.splitlines()[-1] == "... 193 more lines of diff"


def test_a_missing_schema_is_stale() -> None:
    assert staleness(None, "openapi: 3.0.3\n") == (
        "docs/openapi.yaml is not the schema the code generates: run `make openapi` and commit "
        'docs/openapi.yaml (docs/api.md, "Contract governance").'
    )
