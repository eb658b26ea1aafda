"""The security summary as Markdown, in the seed's format: per endpoint, Permissions / Fields
exposed / Edge cases handled / Querysets scoped by."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

SUMMARY_FILE = "docs/security-summary.md"
RELEASED_FILE = "docs/security-summary-released.json"
REGENERATE = "python manage.py security_summary --write"
GUIDE = 'docs/security.md, "The security summary"'

_WHO = {
    "public": "anyone, without authentication (`@public`)",
    "user": "any authenticated user, on their own data",
    "member": "members of the organization (any role)",
    "admin": "admins and owners of the organization",
    "owner": "owners of the organization",
    "staff": "staff only, on any organization (`staff_methods`)",
}


def as_json(summary: Mapping[str, Any]) -> str:
    return json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _code(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names) if names else "none"


def endpoint_markdown(entry: Mapping[str, Any]) -> str:
    """One endpoint's section."""
    lines = [f"## {entry['endpoint']}", ""]
    if entry["summary"]:
        lines += [f"{entry['summary']}.", ""]
    lines += [f"`{entry['view']}` (route `{entry['route']}`).", ""]
    for section in (_permissions, _fields_exposed, _edge_cases, _scoped_by):
        lines += section(entry)
    return "\n".join(lines)


def _permissions(entry: Mapping[str, Any]) -> list[str]:
    lines = ["**Permissions**", ""]
    lines.append(f"- Authentication: {entry['authentication']}")
    lines.append(f"- Who may call it: {_WHO.get(entry['audience'], entry['audience'])}")
    for status, who in entry["denials"].items():
        lines.append(f"- {status}: {who}")
    lines.append("")
    return lines


def _fields_exposed(entry: Mapping[str, Any]) -> list[str]:
    lines = ["**Fields exposed**", ""]
    body = entry["input"]
    if body["body"] == "none":
        rule = f"; {body['unknown_fields']}" if "unknown_fields" in body else ""
        lines.append(f"- Input: no body{rule}")
    elif "fields" in body:
        fields = [f"{f['name']}{'' if f['required'] else ' (optional)'}" for f in body["fields"]]
        lines.append(f"- Input (`{body['serializer'].rsplit('.', 2)[-2]}`): {_code(fields)}")
        if body["read_only_fields"]:
            lines.append(f"- Read-only, refused: {_code(body['read_only_fields'])}")
        lines.append(f"- Unknown fields: {body['unknown_fields']}")
    else:
        lines.append(f"- Input: {body['body']}")
    for status, fields in entry["output"].items():
        lines.append(f"- Output {status}: {_code(fields) if fields else 'no body'}")
    lines.append("")
    return lines


def _edge_cases(entry: Mapping[str, Any]) -> list[str]:
    lines = ["**Edge cases handled**", ""]
    for status, slugs in entry["problems"].items():
        lines.append(f"- {status}: {_code(slugs)}")
    idempotency = entry["idempotency"]
    if idempotency:
        lines.append(
            f"- `{idempotency['header']}`: required (missing or malformed: "
            f"{idempotency['missing_or_malformed']}), scoped to {idempotency['scoped_to']}; a "
            f"replay returns {idempotency['replay']}; the same key with another request: "
            f"{idempotency['same_key_other_request']}"
        )
    else:
        lines.append("- `Idempotency-Key`: not used")
    for throttle in entry["throttles"]:
        lines.append(
            f"- Throttle `{throttle['scope']}`: {throttle['per']}; rate "
            f"{throttle['setting']} (`{throttle.get('environment', '')}`)"
        )
    if entry["proofs"]:
        lines.append("- Proved by:")
        for proof in entry["proofs"]:
            statuses = ", ".join(map(str, proof["statuses"]))
            lines.append(f"  - `{proof['test']}` ({proof['kind']}: {statuses})")
    else:
        lines.append("- Proved by: **no test found**")
    lines.append("")
    return lines


def _scoped_by(entry: Mapping[str, Any]) -> list[str]:
    lines = ["**Querysets scoped by**", ""]
    lines.append(f"- {entry['tenant_scope']}")
    for query in entry["queries"]:
        how = query["scope"]
        if query["by"]:
            how += f" (`{query['by']}`)"
        if query["reason"]:
            how += f": {query['reason']}"
        lines.append(f"- `{query['call']}`: {how}")
    lines.append("")
    return lines


def as_markdown(summary: Mapping[str, Any]) -> str:
    """The whole summary, as committed in ``SUMMARY_FILE``."""
    header = [
        "# Security summary",
        "",
        f"Generated from the code by `{REGENERATE}`: do not edit by hand. It is API "
        f"{summary['api_version']}'s every route and method, with who may call it, what it "
        f"reads and returns, how it fails and what its queries are scoped by ({GUIDE}).",
        "",
    ]
    sections = [endpoint_markdown(entry) for entry in summary["endpoints"]]
    return "\n".join(header + sections).rstrip("\n") + "\n"


def staleness(committed: str | None, generated: str, *, shown: int = 40) -> str | None:
    """None if the committed summary is the generated one; otherwise what to run and the
    start of a unified diff (what the code now says, against what was reviewed)."""
    if committed == generated:
        return None
    lines = [
        f"{SUMMARY_FILE} is not the summary the code generates: run `{REGENERATE}` and commit "
        f"{SUMMARY_FILE} ({GUIDE})."
    ]
    if committed is None:
        return lines[0]
    diff = list(
        difflib.unified_diff(
            committed.splitlines(),
            generated.splitlines(),
            f"{SUMMARY_FILE} (committed)",
            f"{SUMMARY_FILE} (generated)",
            lineterm="",
            n=1,
        )
    )
    lines += diff[:shown]
    if len(diff) > shown:
        lines.append(f"... {len(diff) - shown} more lines of diff")
    return "\n".join(lines)
