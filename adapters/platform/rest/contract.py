"""The REST API's contract over time (docs/api.md, "Contract governance").

``docs/openapi.yaml`` is the schema the code generates, committed; ``docs/openapi-released.yaml``
is the contract of the last released API version. :func:`breaking_changes` lists what in a new
OpenAPI 3 document breaks a client written against an old one, one line per difference;
:func:`assess` checks that CHANGELOG.md records each of them in an API version entry newer than
the released one; :func:`staleness` tells a committed schema from the generated one.

One principle gives the rules: a request may only accept more than it did (every request a
client could send must stay valid), and a response may only promise more (every expectation a
client could have of it must still hold). So a new required request field, a narrower request
type, bound or enum, and a response field that is removed, becomes optional or nullable, or
gains an enum value are breaking; the opposite changes are not. One exception: a removed enum
value is breaking in a response too. Pure Python: no Django.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

SCHEMA_FILE = "docs/openapi.yaml"
RELEASED_FILE = "docs/openapi-released.yaml"
CHANGELOG_FILE = "CHANGELOG.md"
REGENERATE = "make openapi"
RELEASE = "make openapi-release"
GOVERNANCE = 'docs/api.md, "Contract governance"'
VERSION_SETTING_FILE = "src/settings/base.py"

Schema = Mapping[str, Any]
Direction = Literal["request", "response"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# A path template's parameters: renaming one changes no URL a client sends.
_TEMPLATE = re.compile(r"\{[^}/]+\}")
# Request bounds: a smaller maximum or a larger minimum refuses values that were valid.
_MAXIMA = ("maxLength", "maxItems", "maxProperties", "maximum")
_MINIMA = ("minLength", "minItems", "minProperties", "minimum")
# Beyond this depth a (recursive) schema is not compared further.
_MAX_DEPTH = 32


def load(path: Path) -> Schema:
    """An OpenAPI document from a YAML (or JSON) file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, Mapping):
        raise ValueError(f"{path} is not an OpenAPI document")
    return document


# --- the comparison ------------------------------------------------------------------------------


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """What in ``new`` breaks a client of ``old``: one line per difference, in path order."""
    comparison = _Comparison(old, new)
    new_paths = {_TEMPLATE.sub("{}", path): path for path in new.get("paths", {})}
    for path, old_item in old.get("paths", {}).items():
        new_path = new_paths.get(_TEMPLATE.sub("{}", path))
        if new_path is None:
            comparison.report(f"removed path {path}")
            continue
        new_item = new["paths"][new_path]
        for method in METHODS:
            if method not in old_item:
                continue
            if method not in new_item:
                comparison.report(f"removed operation {method.upper()} {path}")
            else:
                comparison.operation(method, (path, new_path), old_item, new_item)
    return comparison.found


@dataclass(frozen=True)
class _Place:
    """Where a schema sits, to name its values in messages."""

    direction: Direction
    subject: str  # "GET /api/v1/me 200", "POST /api/v1/orgs"
    parameter: str = ""  # "query parameter `page_size`", for a parameter's schema

    def __call__(self, path: str) -> str:
        if self.parameter:
            inner = f" (`{path}`)" if path else ""
            return f"{self.parameter}{inner} of {self.subject}"
        if path:
            return f"{self.direction} field `{path}` of {self.subject}"
        return f"the {self.direction} body of {self.subject}"


@dataclass
class _Comparison:
    old_doc: Schema
    new_doc: Schema
    found: list[str] = field(default_factory=list)
    # The pairs of components being compared, to stop at a recursive one.
    stack: set[tuple[str, str]] = field(default_factory=set)

    def report(self, line: str) -> None:
        if line not in self.found:
            self.found.append(line)

    # operations

    def operation(
        self, method: str, paths: tuple[str, str], old_item: Schema, new_item: Schema
    ) -> None:
        old_op, new_op = old_item[method], new_item[method]
        subject = f"{method.upper()} {paths[0]}"
        if _anonymous(self.old_doc, old_op) and not _anonymous(self.new_doc, new_op):
            self.report(f"{subject} now requires authentication")
        self.parameters(
            subject,
            _parameters(self.old_doc, paths[0], old_item, old_op),
            _parameters(self.new_doc, paths[1], new_item, new_op),
        )
        self.request_body(subject, old_op.get("requestBody"), new_op.get("requestBody"))
        self.responses(subject, old_op.get("responses", {}), new_op.get("responses", {}))

    def parameters(
        self,
        subject: str,
        old: Mapping[tuple[str, str], Schema],
        new: Mapping[tuple[str, str], Schema],
    ) -> None:
        for key, old_parameter in old.items():
            label = f"{old_parameter['in']} parameter `{old_parameter['name']}`"
            new_parameter = new.get(key)
            if new_parameter is None:
                self.report(f"removed {label} of {subject}")
                continue
            if new_parameter.get("required") and not old_parameter.get("required"):
                self.report(f"{label} of {subject} became required")
            place = _Place("request", subject, label)
            self.schema(old_parameter.get("schema", {}), new_parameter.get("schema", {}), place)
        for key, new_parameter in new.items():
            if key not in old and new_parameter.get("required"):
                label = f"{new_parameter['in']} parameter `{new_parameter['name']}`"
                self.report(f"new required {label} of {subject}")

    def request_body(self, subject: str, old: Schema | None, new: Schema | None) -> None:
        old_content = _resolve(self.old_doc, old or {}).get("content") or {}
        new_content = _resolve(self.new_doc, new or {}).get("content") or {}
        place = _Place("request", subject)
        if not old_content:  # no body before: only what it now requires can break a client
            for media in new_content.values():
                self.schema({"type": "object"}, media.get("schema", {}), place)
            return
        for media_type, media in old_content.items():
            if media_type not in new_content:
                self.report(f"{subject} no longer accepts {media_type} request bodies")
            else:
                self.schema(
                    media.get("schema", {}), new_content[media_type].get("schema", {}), place
                )

    def responses(self, subject: str, old: Schema, new: Schema) -> None:
        new_codes = {str(code): response for code, response in new.items()}
        for code, old_response in old.items():
            new_response = new_codes.get(str(code))
            if new_response is None:
                if str(code).startswith("2"):
                    self.report(f"removed success status {code} of {subject}")
                continue
            old_content = _resolve(self.old_doc, old_response).get("content") or {}
            new_content = _resolve(self.new_doc, new_response).get("content") or {}
            place = _Place("response", f"{subject} {code}")
            for media_type, media in old_content.items():
                if media_type not in new_content:
                    self.report(f"{place.subject} no longer returns {media_type}")
                else:
                    new_schema = new_content[media_type].get("schema", {})
                    self.schema(media.get("schema", {}), new_schema, place)

    # schemas

    def schema(self, old: Schema, new: Schema, place: _Place, path: str = "") -> None:
        key = (_identity(old), _identity(new))
        if key in self.stack or path.count(".") + path.count("[]") > _MAX_DEPTH:
            return  # a recursive component: compared once on the way down
        if key != ("", ""):
            self.stack.add(key)
        try:
            old_alternatives = _alternatives(self.old_doc, old)
            new_alternatives = _alternatives(self.new_doc, new)
            if len(old_alternatives) == len(new_alternatives) == 1:
                self.single(old_alternatives[0], new_alternatives[0], place, path)
            else:
                self.union(old_alternatives, new_alternatives, place, path)
        finally:
            self.stack.discard(key)

    def union(self, old: list[Schema], new: list[Schema], place: _Place, path: str) -> None:
        """oneOf/anyOf: each value a client may send (request) must still be accepted by some
        alternative, each value it may receive (response) must have been promised by one."""
        request = place.direction == "request"
        for kept in old if request else new:
            trials: list[list[str]] = []
            for other in new if request else old:
                trial = _Comparison(self.old_doc, self.new_doc, stack=set(self.stack))
                if request:
                    trial.single(kept, other, place, path)
                else:
                    trial.single(other, kept, place, path)
                trials.append(trial.found)
            for line in min(trials, key=len, default=[]):
                self.report(line)

    def single(self, old: Schema, new: Schema, place: _Place, path: str) -> None:
        if self.type_changed(old, new, place, path):
            return
        request = place.direction == "request"
        if request and _nullable(old) and not _nullable(new):
            self.report(f"{place(path)} no longer accepts null")
        if not request and _nullable(new) and not _nullable(old):
            self.report(f"{place(path)} became nullable")
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format and (new_format if request else old_format) is not None:
            self.report(
                f"{place(path)} changed format from {old_format or 'none'} "
                f"to {new_format or 'none'}"
            )
        self.enum(old, new, place, path)
        if request:
            self.bounds(old, new, place, path)
        self.children(old, new, place, path)

    def type_changed(self, old: Schema, new: Schema, place: _Place, path: str) -> bool:
        old_types, new_types = _types(old), _types(new)
        if place.direction == "request":
            compatible = _covers(new_types, old_types)
        else:
            compatible = _covers(old_types, new_types)
        if not compatible:
            self.report(
                f"{place(path)} changed type from {_show_types(old_types)} "
                f"to {_show_types(new_types)}"
            )
        return not compatible

    def enum(self, old: Schema, new: Schema, place: _Place, path: str) -> None:
        old_values, new_values = _enum(old), _enum(new)
        request = place.direction == "request"
        if old_values is not None and new_values is not None:
            # A removed value breaks a request that sends it, and a client that acts on it in
            # a response (its meaning usually moved to another value).
            for value in old_values:
                if value not in new_values:
                    self.report(f"removed enum value `{_show(value)}` of {place(path)}")
            for value in new_values if not request else []:
                if value not in old_values:
                    self.report(f"added enum value `{_show(value)}` to {place(path)}")
        elif request and new_values is not None:
            shown = ", ".join(f"`{_show(value)}`" for value in new_values)
            self.report(f"{place(path)} is now restricted to {shown}")
        elif not request and old_values is not None:
            self.report(f"{place(path)} is no longer restricted to enum values")

    def bounds(self, old: Schema, new: Schema, place: _Place, path: str) -> None:
        for keyword, narrower in [(k, _below) for k in _MAXIMA] + [(k, _above) for k in _MINIMA]:
            old_bound, new_bound = old.get(keyword), new.get(keyword)
            if new_bound is None or not (old_bound is None or narrower(new_bound, old_bound)):
                continue
            if old_bound is None:
                self.report(f"{place(path)}: new {keyword} {new_bound}")
            else:
                verb = "lowered" if narrower is _below else "raised"
                self.report(f"{place(path)}: {keyword} {verb} from {old_bound} to {new_bound}")
        old_pattern, new_pattern = old.get("pattern"), new.get("pattern")
        if new_pattern is not None and new_pattern != old_pattern:
            # Whether one regular expression accepts all another does is not decided here.
            was = f" (was `{old_pattern}`)" if old_pattern is not None else ""
            self.report(f"{place(path)}: new pattern `{new_pattern}`{was}")

    def children(self, old: Schema, new: Schema, place: _Place, path: str) -> None:
        if "properties" in old or "properties" in new:
            self.properties(old, new, place, path)
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            self.schema(old_items, new_items, place, f"{path}[]")
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, Mapping) and isinstance(new_extra, Mapping):
            self.schema(old_extra, new_extra, place, _join(path, "*"))

    def properties(self, old: Schema, new: Schema, place: _Place, path: str) -> None:
        request = place.direction == "request"
        # Read-only fields are never sent, write-only ones never received.
        hidden = "readOnly" if request else "writeOnly"
        old_fields = self.visible(self.old_doc, old, hidden)
        new_fields = self.visible(self.new_doc, new, hidden)
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        for name, old_field in old_fields.items():
            child = _join(path, name)
            if name not in new_fields:
                self.report(f"removed {place(child)}")
                continue
            if request and name in new_required and name not in old_required:
                self.report(f"{place(child)} became required")
            if not request and name in old_required and name not in new_required:
                self.report(f"{place(child)} became optional")
            self.schema(old_field, new_fields[name], place, child)
        for name in new_fields if request else []:
            if name not in old_fields and name in new_required:
                self.report(f"new required {place(_join(path, name))}")

    @staticmethod
    def visible(document: Schema, schema: Schema, hidden: str) -> dict[str, Schema]:
        return {
            name: value
            for name, value in schema.get("properties", {}).items()
            if _flatten(document, value).get(hidden) is not True
        }


def _parameters(
    document: Schema, path: str, item: Schema, operation: Schema
) -> dict[tuple[str, str], Schema]:
    """An operation's parameters (its path item's too) by location and name; path parameters by
    position in the template, so that renaming one is no change."""
    positions = {name[1:-1]: str(index) for index, name in enumerate(_TEMPLATE.findall(path))}
    found: dict[tuple[str, str], Schema] = {}
    for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
        parameter = _resolve(document, raw)
        location, name = str(parameter["in"]), str(parameter["name"])
        found[(location, positions.get(name, name) if location == "path" else name)] = parameter
    return found


def _anonymous(document: Schema, operation: Schema) -> bool:
    security = operation.get("security", document.get("security"))
    return not security or any(not requirement for requirement in security)


def _resolve(document: Schema, schema: Schema) -> Schema:
    """Follow local ``$ref`` s (``#/components/...``)."""
    for _ in range(64):
        reference = schema.get("$ref") if isinstance(schema, Mapping) else None
        if reference is None:
            return schema
        if not reference.startswith("#/"):
            raise ValueError(f"only local references are supported, not {reference}")
        target: Any = document
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        schema = target
    raise ValueError(f"a $ref loop at {schema}")


def _flatten(document: Schema, schema: Schema) -> dict[str, Any]:
    """The schema with its ``$ref`` resolved and its ``allOf`` parts merged into it."""
    resolved = _resolve(document, schema)
    merged = {key: value for key, value in resolved.items() if key != "allOf"}
    for part in resolved.get("allOf", []):
        for key, value in _flatten(document, part).items():
            if key == "properties":
                merged["properties"] = {**value, **merged.get("properties", {})}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged


def _alternatives(document: Schema, schema: Schema) -> list[Schema]:
    """A schema's ``oneOf``/``anyOf`` alternatives (each with the keywords beside them), or the
    schema itself."""
    flat = _flatten(document, schema)
    choices = flat.get("oneOf") or flat.get("anyOf")
    if not choices:
        return [flat]
    beside = {k: v for k, v in flat.items() if k not in ("oneOf", "anyOf", "description")}
    return [{**beside, **_flatten(document, choice)} for choice in choices]


def _identity(schema: Schema) -> str:
    """The component a schema refers to (directly or as its only ``allOf`` part), if any."""
    if "$ref" in schema:
        return str(schema["$ref"])
    return ",".join(str(part.get("$ref", "")) for part in schema.get("allOf", []))


def _types(schema: Schema) -> frozenset[str] | None:
    """The JSON types a schema allows (``null`` aside), or None for any."""
    declared = schema.get("type")
    if declared is None:
        return None
    names = [declared] if isinstance(declared, str) else list(declared)
    return frozenset(name for name in names if name != "null") or None


def _covers(wider: frozenset[str] | None, narrower: frozenset[str] | None) -> bool:
    if wider is None:
        return True
    if narrower is None:
        return False
    return all(kind in wider or (kind == "integer" and "number" in wider) for kind in narrower)


def _nullable(schema: Schema) -> bool:
    declared = schema.get("type")
    return (
        schema.get("nullable") is True
        or None in (schema.get("enum") or [])
        or (isinstance(declared, list) and "null" in declared)
    )


def _enum(schema: Schema) -> list[Any] | None:
    values = schema.get("enum")
    return None if values is None else [value for value in values if value is not None]


def _below(new: float, old: float) -> bool:
    return new < old


def _above(new: float, old: float) -> bool:
    return new > old


def _show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types))


def _show(value: Any) -> str:
    return value if isinstance(value, str) and value else json.dumps(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- the changelog ------------------------------------------------------------------------------

# "## API 1.1.0 — 2026-12-02" (an em dash, an en dash or a hyphen before the date).
_API_HEADING = re.compile(r"## API (\d+)\.(\d+)\.(\d+)(?: [\u2014\u2013-] \d{4}-\d{2}-\d{2})?")
_SECTION = re.compile(r"^## .*$", re.MULTILINE)


@dataclass(frozen=True)
class ApiEntry:
    """One ``## API x.y.z — date`` entry of the changelog: its version and its text."""

    version: tuple[int, int, int]
    text: str

    @property
    def name(self) -> str:
        return ".".join(map(str, self.version))


def api_entries(changelog: str) -> tuple[list[ApiEntry], list[str]]:
    """The changelog's API version entries, and its headings that look like one but are not."""
    headings = list(_SECTION.finditer(changelog))
    entries: list[ApiEntry] = []
    malformed: list[str] = []
    for index, heading in enumerate(headings):
        line = heading.group().rstrip()
        end = headings[index + 1].start() if index + 1 < len(headings) else len(changelog)
        match = _API_HEADING.fullmatch(line)
        if match:
            major, minor, patch = (int(part) for part in match.groups())
            entries.append(ApiEntry((major, minor, patch), changelog[heading.start() : end]))
        elif line.startswith("## API"):
            malformed.append(line)
    return entries, malformed


def _version(text: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", text)
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def _normalise(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Assessment:
    """The current schema against the released contract and the changelog."""

    released: str  # the released contract's version (its info.version)
    current: str  # the current schema's
    differences: tuple[str, ...]  # breaking, since the released contract
    unrecorded: tuple[str, ...]  # those no pending API entry lists
    pending: tuple[str, ...]  # the changelog's API versions newer than the released one
    problems: tuple[str, ...]  # versions that do not agree

    @property
    def ok(self) -> bool:
        return not self.unrecorded and not self.problems

    def report(self) -> str:
        lines: list[str] = []
        if self.unrecorded:
            lines += [
                f"Breaking changes since the released API {self.released} ({RELEASED_FILE}) "
                f"that {CHANGELOG_FILE} does not record:",
                *(f"- {line}" for line in self.unrecorded),
                f"Record each line above, as printed, in an API version entry of {CHANGELOG_FILE}"
                f" newer than {self.released} (for example `## API {self.suggested()} — "
                f'{date.today().isoformat()}`), set SPECTACULAR_SETTINGS["VERSION"] '
                f"({VERSION_SETTING_FILE}) to that version, and run `{REGENERATE}` ({GOVERNANCE}).",
            ]
        recorded = [line for line in self.differences if line not in self.unrecorded]
        if recorded:
            lines += [
                f"Breaking changes since the released API {self.released}, recorded in "
                f"{CHANGELOG_FILE} (API {', '.join(self.pending)}):",
                *(f"- {line}" for line in recorded),
            ]
        lines += self.problems
        if self.ok and self.differences:
            lines.append(
                f"When you release API {self.current}, refresh {RELEASED_FILE} with "
                f"`{RELEASE}` (it copies {SCHEMA_FILE}) and commit it."
            )
        elif self.ok:
            lines.append(f"No breaking change since the released API {self.released}.")
        return "\n".join(lines)

    def suggested(self) -> str:
        versions = [v for v in map(_version, [self.released, *self.pending]) if v is not None]
        major, minor, _ = max(versions, default=(1, 0, 0))
        return f"{major}.{minor + 1}.0"


def assess(released: Schema, current: Schema, changelog: str) -> Assessment:
    """Whether ``current`` breaks clients of ``released`` only in ways ``changelog`` records."""
    released_version = str(released.get("info", {}).get("version", ""))
    current_version = str(current.get("info", {}).get("version", ""))
    entries, malformed = api_entries(changelog)
    problems = [
        f"{CHANGELOG_FILE}: {line!r} is not an API version heading (`## API 1.2.0 — 2026-12-02`)"
        for line in malformed
    ]
    released_key = _version(released_version)
    if released_key is None:
        problems.append(f"{RELEASED_FILE}: info.version {released_version!r} is not x.y.z")
    elif released_key not in {entry.version for entry in entries}:
        problems.append(f"{CHANGELOG_FILE} has no entry for the released API {released_version}")
    newest = max(entries, key=lambda entry: entry.version, default=None)
    if newest is not None and newest.name != current_version:
        problems.append(
            f'{SCHEMA_FILE} is API {current_version} (SPECTACULAR_SETTINGS["VERSION"]), but the '
            f"newest API entry of {CHANGELOG_FILE} is {newest.name}: make them agree, then run "
            f"`{REGENERATE}`."
        )
    pending = [e for e in entries if released_key is not None and e.version > released_key]
    recorded = _normalise("\n".join(entry.text for entry in pending))
    differences = breaking_changes(released, current)
    return Assessment(
        released=released_version,
        current=current_version,
        differences=tuple(differences),
        unrecorded=tuple(line for line in differences if _normalise(line) not in recorded),
        pending=tuple(entry.name for entry in sorted(pending, key=lambda e: e.version)),
        problems=tuple(problems),
    )


# --- the committed schema ------------------------------------------------------------------------


def staleness(committed: str | None, generated: str, *, shown: int = 40) -> str | None:
    """None if the committed schema is the generated one; otherwise what to run, what breaks
    (against the committed schema) and the start of a unified diff."""
    if committed == generated:
        return None
    lines = [
        f"{SCHEMA_FILE} is not the schema the code generates: run `{REGENERATE}` and commit "
        f"{SCHEMA_FILE} ({GOVERNANCE})."
    ]
    if committed is None:
        return lines[0]
    try:
        changes = breaking_changes(yaml.safe_load(committed), yaml.safe_load(generated))
    except (yaml.YAMLError, AttributeError, KeyError, TypeError, ValueError):
        changes = []  # a damaged committed file: the diff shows it
    if changes:
        lines += ["Breaking changes against the committed schema:", *(f"- {c}" for c in changes)]
    diff = list(
        difflib.unified_diff(
            committed.splitlines(),
            generated.splitlines(),
            f"{SCHEMA_FILE} (committed)",
            f"{SCHEMA_FILE} (generated)",
            lineterm="",
            n=2,
        )
    )
    lines += diff[:shown]
    if len(diff) > shown:
        lines.append(f"... {len(diff) - shown} more lines of diff")
    return "\n".join(lines)
