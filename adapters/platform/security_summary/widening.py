"""The widening gate: what in the current security summary exposes more than the released one.

``docs/security-summary-released.json`` is the summary of the last released API version.
:func:`widenings` lists, one line per difference a reviewer should see, each change that lets
more callers in or more data out: an endpoint that became public (or is new and public), a
required role
that dropped, a response or input field that appeared, a query whose scope widened or
disappeared, an ``Idempotency-Key`` or a throttle that went away. :func:`assess` checks that
CHANGELOG.md records each line, as printed, under ``## [Unreleased]`` or in an API version
entry newer than the released summary's (the changelog rules of the OpenAPI contract gate,
adapters/platform/rest/contract.py, whose helpers it reuses). Pure Python: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from adapters.platform.persistence.scopes import Scope
from adapters.platform.rest.contract import CHANGELOG_FILE, _normalise, _version, api_entries
from adapters.platform.security_summary.render import GUIDE, REGENERATE, RELEASED_FILE

RELEASE = "python manage.py security_summary --check-widening --release"
# Who may call, from the widest audience to the narrowest (derive.AUDIENCES).
_NARROWNESS = {"public": 0, "user": 1, "member": 2, "admin": 3, "owner": 4, "staff": 5}
_BREADTH = {scope.value: scope.breadth for scope in Scope} | {"undeclared": 9}
_UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)

Summary = Mapping[str, Any]


def _by_endpoint(summary: Summary) -> dict[str, Mapping[str, Any]]:
    return {entry["endpoint"]: entry for entry in summary.get("endpoints", [])}


def widenings(released: Summary, current: Summary) -> list[str]:
    """Each widening of exposure from ``released`` to ``current``, in endpoint order."""
    old_endpoints = _by_endpoint(released)
    lines: list[str] = []
    for key, new in _by_endpoint(current).items():
        old = old_endpoints.get(key)
        if old is None:
            # A new endpoint behind a token and a declared scope is the API growing, which the
            # OpenAPI contract records; only a public one, or one reaching an unscoped query,
            # widens who sees what.
            if new["authentication"] == "public":
                lines.append(f"{key}: new public endpoint (no authentication required)")
            lines += [f"{key}: {change}" for change in _scope_widenings([], new["queries"])]
            continue
        lines += [f"{key}: {change}" for change in _endpoint_widenings(old, new)]
    return lines


def _endpoint_widenings(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    changes: list[str] = []
    if old["authentication"] != "public" and new["authentication"] == "public":
        changes.append("became public (no authentication required)")
    elif _NARROWNESS.get(new["audience"], 0) < _NARROWNESS.get(old["audience"], 0):
        changes.append(f"required access dropped from {old['audience']} to {new['audience']}")
    for status, fields in new["output"].items():
        before = set(old["output"].get(status, []))
        changes += [
            f"response {status} exposes a new field `{f}`" for f in fields if f not in before
        ]
    old_inputs = {f["name"] for f in old["input"].get("fields", [])}
    changes += [
        f"accepts a new input field `{f['name']}`"
        for f in new["input"].get("fields", [])
        if f["name"] not in old_inputs
    ]
    changes += _scope_widenings(old["queries"], new["queries"])
    if old["idempotency"] and not new["idempotency"]:
        changes.append("no longer requires an Idempotency-Key")
    new_throttles = {t["scope"] for t in new["throttles"]}
    changes += [
        f"no longer throttled by `{t['scope']}`"
        for t in old["throttles"]
        if t["scope"] not in new_throttles
    ]
    return changes


def _scope_widenings(old: list[Mapping[str, str]], new: list[Mapping[str, str]]) -> list[str]:
    before = {query["call"]: query for query in old}
    changes: list[str] = []
    for query in new:
        scope = query["scope"]
        previous = before.get(query["call"])
        if previous is None:
            if _BREADTH.get(scope, 9) >= Scope.UNSCOPED.breadth:
                changes.append(f"new {scope} query `{query['call']}`")
        elif _BREADTH.get(scope, 9) > _BREADTH.get(previous["scope"], 9):
            changes.append(
                f"query `{query['call']}` is no longer scoped by {previous['scope']} (now {scope})"
            )
    return changes


# --- the changelog ------------------------------------------------------------------------------


@attrs.frozen
class WideningAssessment:
    """The current summary against the released one and the changelog."""

    released: str  # the released summary's API version
    widenings: tuple[str, ...]
    unrecorded: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.unrecorded

    def report(self) -> str:
        lines: list[str] = []
        if self.unrecorded:
            lines += [
                f"Exposure widened since the released security summary ({RELEASED_FILE}, API "
                f"{self.released}) without a record in {CHANGELOG_FILE}:",
                *(f"- {line}" for line in self.unrecorded),
                f"If each widening is intended, record each line above, as printed, in "
                f"{CHANGELOG_FILE} (under `## [Unreleased]`, e.g. in `### Security`, or in an "
                f"API version entry newer than {self.released}); otherwise undo it. Then run "
                f"`{REGENERATE}` ({GUIDE}).",
            ]
        recorded = [line for line in self.widenings if line not in self.unrecorded]
        if recorded:
            lines += [
                f"Exposure widened since the released security summary, recorded in "
                f"{CHANGELOG_FILE}:",
                *(f"- {line}" for line in recorded),
                f"When you release, refresh {RELEASED_FILE} with `{RELEASE}` and commit it.",
            ]
        if not self.widenings:
            lines.append(f"No widening of exposure since the released API {self.released}.")
        return "\n".join(lines)


def recorded_text(changelog: str, released_version: str) -> str:
    """What of the changelog may record a widening: ``## [Unreleased]`` and the API entries
    newer than the released version, normalised as the contract gate does."""
    released = _version(released_version)
    entries, _ = api_entries(changelog)
    pending = [e.text for e in entries if released is None or e.version > released]
    unreleased = _UNRELEASED.search(changelog)
    texts = [unreleased.group(1) if unreleased else "", *pending]
    return _normalise("\n".join(texts))


def assess(released: Summary, current: Summary, changelog: str) -> WideningAssessment:
    """Whether ``current`` widens ``released`` only in ways ``changelog`` records."""
    version = str(released.get("api_version", ""))
    found = widenings(released, current)
    recorded = recorded_text(changelog, version)
    return WideningAssessment(
        released=version,
        widenings=tuple(found),
        unrecorded=tuple(line for line in found if _normalise(line) not in recorded),
    )
