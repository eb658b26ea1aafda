"""The security summary (docs/security-summary.md) and its widening gate (docs/security.md,
"The security summary").

``docs/security-summary.md`` must be what ``manage.py security_summary --write`` generates, and
the summary must widen the released one (``docs/security-summary-released.json``) only in ways
CHANGELOG.md records. The fast tests hold the committed files to the code and the comparison to
its rules; the slow ones make a reviewer's changes in a copy of the project
(tests/architecture/project_copy.py) and watch ``manage.py security_summary --check-widening``
and ``manage.py check`` fail, naming the endpoint and the widening.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from adapters.platform.checks.scoping import (
    check_declared_scopes_are_true,
    check_views_reach_only_scoped_queries,
)
from adapters.platform.persistence.scopes import scoped_by_organization, scoped_by_user
from adapters.platform.rest.contract import CHANGELOG_FILE
from adapters.platform.security_summary.derive import summarize
from adapters.platform.security_summary.render import (
    REGENERATE,
    RELEASED_FILE,
    SUMMARY_FILE,
    as_markdown,
    staleness,
)
from adapters.platform.security_summary.widening import assess, widenings
from tests.architecture.project_copy import ROOT, copy_project, output, run

slow = pytest.mark.slow

# Endpoints of the contexts every fork keeps (identity, organizations): billing's own are
# summarized in tests/api/billing/test_security_summary.py, which leaves with billing.
ME = "GET /api/v1/me"
ORGANIZATION = "GET /api/v1/orgs/{org_id}"
RENAME = "PATCH /api/v1/orgs/{org_id}"


@pytest.fixture(scope="module")
def summary() -> dict[str, Any]:
    return summarize()


def _entry(summary: dict[str, Any], endpoint: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in summary["endpoints"] if e["endpoint"] == endpoint)
    return found


def test_the_committed_summary_is_the_generated_one(summary: dict[str, Any]) -> None:
    committed_file = ROOT / SUMMARY_FILE
    committed = committed_file.read_text(encoding="utf-8") if committed_file.exists() else None

    stale = staleness(committed, as_markdown(summary))

    assert stale is None, stale
    assert REGENERATE in as_markdown(summary)


def test_every_widening_since_the_released_summary_is_recorded(summary: dict[str, Any]) -> None:
    released = json.loads((ROOT / RELEASED_FILE).read_text(encoding="utf-8"))

    assessment = assess(released, summary, (ROOT / CHANGELOG_FILE).read_text(encoding="utf-8"))

    assert assessment.ok, assessment.report()


# --- what the summary says -----------------------------------------------------------------


def test_every_endpoint_declares_the_scope_of_every_query_it_reaches(
    summary: dict[str, Any],
) -> None:
    undeclared = [
        f"{entry['endpoint']}: {query['call']}"
        for entry in summary["endpoints"]
        for query in entry["queries"]
        if query["scope"] == "undeclared"
    ]

    assert not undeclared


def test_input_fields_and_the_answer_to_unknown_ones_come_from_the_serializer(
    summary: dict[str, Any],
) -> None:
    rename = _entry(summary, RENAME)

    assert [field["name"] for field in rename["input"]["fields"]] == ["name"]
    assert "400" in rename["input"]["unknown_fields"]
    assert rename["audience"] == "admin"
    assert "members whose role is member" in rename["denials"]["403"]


# --- the widening rules, on the summary itself ---------------------------------------------------


def _widened(summary: dict[str, Any], endpoint: str, **changes: Any) -> list[str]:
    current = copy.deepcopy(summary)
    _entry(current, endpoint).update(changes)
    return widenings(summary, current)


def test_a_route_that_becomes_public_is_a_widening(summary: dict[str, Any]) -> None:
    lines = _widened(summary, ME, authentication="public", audience="public")

    assert lines == [f"{ME}: became public (no authentication required)"]


def test_a_lower_required_role_is_a_widening(summary: dict[str, Any]) -> None:
    assert _widened(summary, RENAME, audience="member") == [
        f"{RENAME}: required access dropped from admin to member"
    ]
    assert _widened(summary, RENAME, audience="user") == [
        f"{RENAME}: required access dropped from admin to user"
    ]
    assert _widened(summary, RENAME, audience="owner") == []


def test_a_new_response_field_is_a_widening(summary: dict[str, Any]) -> None:
    fields = [*_entry(summary, ME)["output"]["200"], "internal_note"]

    lines = _widened(summary, ME, output={"200": fields})

    assert lines == [f"{ME}: response 200 exposes a new field `internal_note`"]


def test_a_scope_that_disappears_is_a_widening(summary: dict[str, Any]) -> None:
    queries = copy.deepcopy(_entry(summary, ORGANIZATION)["queries"])
    assert queries[0]["scope"] == "acting user"
    queries[0]["scope"] = "unscoped"

    lines = _widened(summary, ORGANIZATION, queries=queries)

    assert lines == [
        f"{ORGANIZATION}: query `{queries[0]['call']}` is no longer scoped by acting user "
        "(now unscoped)"
    ]


def test_a_new_public_endpoint_and_a_removed_throttle_are_widenings(
    summary: dict[str, Any],
) -> None:
    released = copy.deepcopy(summary)
    released["endpoints"] = [e for e in released["endpoints"] if e["endpoint"] != ME]
    public = copy.deepcopy(summary)
    _entry(public, ME)["authentication"] = "public"

    assert widenings(released, summary) == [], "a new endpoint behind a token is the API growing"
    assert widenings(released, public) == [
        f"{ME}: new public endpoint (no authentication required)"
    ]
    assert _widened(summary, ME, throttles=[]) == [
        f"{ME}: no longer throttled by `{throttle['scope']}`"
        for throttle in _entry(summary, ME)["throttles"]
    ]


def test_narrowing_is_not_a_widening(summary: dict[str, Any]) -> None:
    assert _widened(summary, RENAME, audience="owner", output={"200": ["id"]}) == []


def test_a_recorded_widening_passes_and_an_unrecorded_one_fails(summary: dict[str, Any]) -> None:
    current = copy.deepcopy(summary)
    _entry(current, ME).update(authentication="public", audience="public")
    line = f"{ME}: became public (no authentication required)"

    unrecorded = assess(summary, current, "# Changelog\n\n## [Unreleased]\n\n## API 1.0.0\n")
    recorded = assess(
        summary, current, f"# Changelog\n\n## [Unreleased]\n\n### Security\n\n- {line}\n"
    )
    released_entry = assess(
        summary, current, f"## API {summary['api_version']} — 2026-01-01\n- {line}\n"
    )

    assert not unrecorded.ok
    assert f"- {line}" in unrecorded.report()
    assert recorded.ok, recorded.report()
    assert not released_entry.ok, "the released version's own entry cannot record a later change"


# --- a reviewer's changes, in a copy of the project ---------------------------------------------


def _edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative} no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@slow
@pytest.mark.project_copy
def test_the_gate_names_each_widening_of_a_reviewers_change(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    identity, organizations = "adapters/identity/views.py", "adapters/organizations/views.py"
    _edit(root, identity, "    email_verified = serializers.BooleanField()\n",
          "    email_verified = serializers.BooleanField()\n"
          "    internal_note = serializers.CharField(default='')\n")  # fmt: skip
    _edit(root, identity, "class MeView(APIView):", "@public\nclass MeView(APIView):")
    _edit(root, organizations, '"PATCH": Role.ADMIN}', '"PATCH": Role.MEMBER}')

    gate = run(root, "python", "manage.py", "security_summary", "--check-widening")

    assert gate.returncode != 0
    report = gate.stderr
    assert f"{SUMMARY_FILE} is not the summary the code generates: run `{REGENERATE}`" in report
    for line in (
        f"- {ME}: became public (no authentication required)",
        f"- {ME}: response 200 exposes a new field `internal_note`",
        f"- {RENAME}: required access dropped from admin to member",
    ):
        assert line in report, output(gate)

    # Recorded in the changelog and regenerated, the same change passes.
    widened = report.split(f"without a record in {CHANGELOG_FILE}:\n", 1)[1].splitlines()
    lines = [line[2:] for line in itertools.takewhile(lambda line: line.startswith("- "), widened)]
    _edit(root, CHANGELOG_FILE, "## [Unreleased]\n", "## [Unreleased]\n\n### Security\n\n"
          + "".join(f"- {line}\n" for line in lines))  # fmt: skip
    assert run(root, "python", "manage.py", "security_summary", "--write").returncode == 0
    again = run(root, "python", "manage.py", "security_summary", "--check-widening")
    assert again.returncode == 0, output(again)


@slow
@pytest.mark.project_copy
def test_a_view_reaching_an_unscoped_repository_method_fails_the_check(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    _edit(root, "adapters/organizations/repositories.py", "class DjangoOrganizationRepository:\n",
          "class DjangoOrganizationRepository:\n"
          "    def peek(self, organization_id: OrganizationId) -> bool:\n"
          "        rows = models.Organization.objects.filter(pk=organization_id)\n"
          "        return rows.exists()\n\n")  # fmt: skip
    _edit(root, "contexts/organizations/application/ports.py",
          "class OrganizationRepository(Protocol):\n",
          "class OrganizationRepository(Protocol):\n"
          "    def peek(self, organization_id: OrganizationId) -> bool: ...\n\n")  # fmt: skip
    read = "        return self._uow.organizations.get_for_member(organization_id, actor.user_id)"
    _edit(root, "contexts/organizations/application/services.py", read,
          f"        self._uow.organizations.peek(organization_id)\n{read}")  # fmt: skip

    check = run(root, "python", "manage.py", "check", "--fail-level", "WARNING")

    assert check.returncode != 0
    assert "bastion.E113" in check.stderr, output(check)
    assert (
        "OrganizationDetailView.get reaches DjangoOrganizationRepository.peek (from "
        "OrganizationService.get), which declares no tenant scope." in check.stderr
    ), output(check)


# --- E114: a declared scope the query does not bear out -------------------------------------------


class _MisdeclaredRepository:
    @scoped_by_organization("organization_id")
    def list_page(self, organization_id: int, status: str) -> list[str]:
        return [status]  # the organization never reaches the query

    @scoped_by_organization("organization_id")
    def count(self, organization_id: int) -> int:
        return len(str(organization_id))


def test_a_declared_scope_must_reach_the_query() -> None:
    messages = check_declared_scopes_are_true(repositories=[_MisdeclaredRepository])

    assert [message.id for message in messages] == ["bastion.E114"]
    assert "_MisdeclaredRepository.list_page is declared scoped by 'organization_id'" in (
        messages[0].msg
    )


def test_a_scope_must_name_a_parameter_of_the_method() -> None:
    with pytest.raises(TypeError, match="not one of its parameters"):

        @scoped_by_user("user_id")
        def get(organization_id: int) -> None: ...


def test_the_project_passes_both_scope_checks() -> None:
    assert check_views_reach_only_scoped_queries() == []
    assert check_declared_scopes_are_true() == []
