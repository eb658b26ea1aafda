"""The API's contract (docs/api.md, "Contract governance").

``docs/openapi.yaml`` must be the schema ``make openapi`` generates, and must break no client of
the released contract (``docs/openapi-released.yaml``) in a way CHANGELOG.md does not record
(the rules: adapters/platform/rest/contract.py; ``make contract`` runs the same two checks).
The slow tests make a developer's changes in a copy of the project
(tests/architecture/project_copy.py) and watch both gates, the tests here and the command.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from adapters.platform.rest.contract import (
    CHANGELOG_FILE,
    RELEASED_FILE,
    SCHEMA_FILE,
    Assessment,
    assess,
    load,
    staleness,
)
from tests.architecture.project_copy import ROOT, TEST, copy_project, output, run

slow = pytest.mark.slow

THIS = "tests/architecture/test_openapi_contract.py"
FRESH = f"{THIS}::test_the_committed_schema_is_the_generated_one"
RECORDED = f"{THIS}::test_every_breaking_change_since_the_released_api_is_recorded"

# Makefile, `openapi`: the command that writes docs/openapi.yaml.
SPECTACULAR = ("python", "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file")


def generate(root: Path, target: Path) -> str:
    result = run(root, *SPECTACULAR, str(target))
    assert result.returncode == 0, output(result)
    return target.read_text(encoding="utf-8")


def stale_schema(root: Path, scratch: Path) -> str | None:
    """What is wrong with the committed schema of the project at ``root``, if anything."""
    committed = root / SCHEMA_FILE
    generated = generate(root, scratch / "openapi.yaml")
    return staleness(
        committed.read_text(encoding="utf-8") if committed.exists() else None, generated
    )


def against_release(root: Path) -> Assessment:
    """The committed schema of the project at ``root`` against its released contract."""
    return assess(
        load(root / RELEASED_FILE),
        load(root / SCHEMA_FILE),
        (root / CHANGELOG_FILE).read_text(encoding="utf-8"),
    )


def test_the_committed_schema_is_the_generated_one(tmp_path: Path) -> None:
    stale = stale_schema(ROOT, tmp_path)

    assert stale is None, stale


def test_every_breaking_change_since_the_released_api_is_recorded() -> None:
    assessment = against_release(ROOT)

    assert assessment.ok, assessment.report()


# --- a developer's changes, in a copy of the project --------------------------------------------

VIEWS = "adapters/identity/views.py"
SETTINGS = "src/settings/base.py"
# MeOutput, the response of GET and PATCH /me; MeView.InputSerializer, the request of PATCH /me.
RESPONSE_FIELD = "    email_verified = serializers.BooleanField()\n"
REQUEST_FIELD = "        name = StrictCharField(max_length=NAME_MAX_LENGTH, required=False)\n"
REMOVALS = [
    "removed response field `email_verified` of GET /api/v1/me 200",
    "removed response field `email_verified` of PATCH /api/v1/me 200",
]


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{relative} has {old!r} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def regenerate(root: Path) -> None:
    generate(root, root / SCHEMA_FILE)


def gate(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run(root, "python", "manage.py", "openapi_contract", *arguments)


def contract_tests(root: Path) -> subprocess.CompletedProcess[str]:
    """The two tests above, run in the copy; ``-rA`` lists each one's outcome."""
    return run(
        root, "pytest", "-q", "-rA", "-p", "no:cacheprovider", FRESH, RECORDED, settings=TEST
    )


def record(root: Path, version: str, lines: list[str]) -> None:
    """What the gate asks for: the lines in a new API version entry, and the schema's version."""
    changelog = root / CHANGELOG_FILE
    text = changelog.read_text(encoding="utf-8")
    entry = f"## API {version} — 2026-12-02\n\n### Breaking\n\n" + "".join(
        f"- {x}\n" for x in lines
    )
    at = text.index("\n## API ") + 1
    changelog.write_text(f"{text[:at]}{entry}\n{text[at:]}", encoding="utf-8")
    edit(root, SETTINGS, '"VERSION": "1.0.0",', f'"VERSION": "{version}",')


@slow
@pytest.mark.project_copy
def test_a_removed_response_field_fails_the_gates_until_the_changelog_records_it(
    tmp_path: Path,
) -> None:
    root = copy_project(tmp_path / "project")
    edit(root, VIEWS, RESPONSE_FIELD, "")

    # The committed schema is stale: the contract test, run there, names the command and the
    # field; the other test still passes (the committed schema has not changed).
    tests = contract_tests(root)
    assert f"FAILED {FRESH}" in tests.stdout, output(tests)
    assert f"PASSED {RECORDED}" in tests.stdout, output(tests)
    assert "run `make openapi`" in tests.stdout
    assert all(f"- {line}" in tests.stdout for line in REMOVALS), output(tests)

    # Regenerated, it is fresh but breaks the released contract: the gate fails and prints
    # each difference, the test form of it too.
    regenerate(root)
    result = gate(root)
    assert result.returncode != 0, output(result)
    assert "that CHANGELOG.md does not record:" in result.stderr, output(result)
    assert all(f"- {line}\n" in result.stderr for line in REMOVALS), output(result)
    assert stale_schema(root, tmp_path) is None
    assert list(against_release(root).unrecorded) == REMOVALS

    # Recorded under API 1.1.0, the schema's new version: both pass, and the gate says what to
    # do at the release.
    record(root, "1.1.0", REMOVALS)
    regenerate(root)
    result = gate(root)
    assert result.returncode == 0, output(result)
    assert "recorded in CHANGELOG.md (API 1.1.0)" in result.stdout
    assert "`make openapi-release`" in result.stdout
    assert against_release(root).ok

    # Released: the new contract is the schema, with nothing left to record.
    result = gate(root, "--release")
    assert result.returncode == 0, output(result)
    assert (root / RELEASED_FILE).read_bytes() == (root / SCHEMA_FILE).read_bytes()
    result = gate(root)
    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == "No breaking change since the released API 1.1.0."


@slow
@pytest.mark.project_copy
def test_added_optional_fields_pass_once_the_schema_is_regenerated(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    nickname = "        nickname = StrictCharField(max_length=50, required=False)\n"
    edit(root, VIEWS, REQUEST_FIELD, REQUEST_FIELD + nickname)
    display_name = (
        '    display_name = serializers.CharField(source="profile.name", required=False)\n'
    )
    edit(root, VIEWS, RESPONSE_FIELD, RESPONSE_FIELD + display_name)

    stale = gate(root)
    assert stale.returncode != 0, output(stale)
    assert "run `make openapi`" in stale.stderr
    assert "+        nickname:" in stale.stderr, output(stale)
    assert "Breaking changes" not in stale.stderr, output(stale)

    regenerate(root)
    result = gate(root)
    assert result.returncode == 0, output(result)
    assert result.stdout.strip() == "No breaking change since the released API 1.0.0."
    assert stale_schema(root, tmp_path) is None
    assert against_release(root).ok
