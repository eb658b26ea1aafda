"""A fork starts without a context it does not need, and under its own name: ``copier copy``
with billing left out makes a project with neither its folders (``contexts/billing``,
``adapters/billing``, ``tests/*/billing``) nor its line in src/settings/project.py, and nothing
else changes for it.

Demo data, event subscriptions, URLs, problem types, route policies and import rules all come
from each installed context, so the project must pass every gate at once: ruff, mypy,
import-linter, Django's checks, the migrations check, the schema validation, its own first API
contract (written by the Makefile, as ``make check`` does on a fork's first run) and the whole
test suite (but the tests that copy the project themselves). Removing a context later is the
same two steps by hand (docs/adding-a-context.md).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.architecture.copier_template import generate, template_repository
from tests.architecture.project_copy import BIN, environment, failed_gates, output, run

pytestmark = [pytest.mark.slow, pytest.mark.project_copy]

DROPPED = "billing"
NAME = "Acme"


def first_contract(project: Path) -> None:
    """The Makefile's rules for a fork's first run: the schema and the security summary its code
    generates become its committed and released ones (this environment's tools stand in for the
    fork's venv)."""
    result = subprocess.run(  # noqa: S603  (make, fixed arguments)
        [  # noqa: S607
            "make",
            f"VENV={BIN.parent}",
            "docs/openapi-released.yaml",
            "docs/security-summary-released.json",
        ],
        cwd=project,
        env=environment(project, "src.settings.dev"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, output(result)


def test_a_project_copied_without_billing_passes_every_gate(tmp_path: Path) -> None:
    template = template_repository(tmp_path / "template")
    project = generate(template, tmp_path / "acme-api", project_name=NAME, contexts=[])

    assert not [path for path in project.rglob("*") if DROPPED in path.name]
    assert f'"adapters.{DROPPED}"' not in (project / "src/settings/project.py").read_text()
    assert not (project / "docs/openapi.yaml").exists(), "a fork starts its own contract"
    assert not (project / "docs/security-summary.md").exists()
    first_contract(project)
    assert "title: Acme API" in (project / "docs/openapi.yaml").read_text()

    failed = failed_gates(
        project,
        linted=["."],
        tests=[
            "tests",
            "--ignore=tests/architecture/test_startcontext.py",
            "--ignore=tests/architecture/test_drop_a_context.py",
            "--ignore=tests/architecture/test_copier.py",
            "-n",
            "2",
        ],
    )
    seeded = run(project, "python", "manage.py", "migrate", "--no-input")
    if seeded.returncode == 0:
        seeded = run(project, "python", "manage.py", "seed_demo")

    assert not failed, "\n\n".join(failed)
    assert seeded.returncode == 0, output(seeded)
