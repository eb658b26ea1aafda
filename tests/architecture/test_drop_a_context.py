"""A fork drops a context it does not need: its folders and its INSTALLED_APPS line, nothing else.

Demo data, event subscriptions, URLs, problem types, route policies and import rules all come
from each installed context, so removing billing (``contexts/billing``, ``adapters/billing``,
``tests/*/billing`` and ``"adapters.billing",``) in a copy of the project must leave every gate
green: ruff, mypy, import-linter, Django's checks, the migrations check, the schema validation
and the whole test suite (but the two tests that copy the project themselves).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.project_copy import copy_project, failed_gates, output, run

pytestmark = pytest.mark.slow

DROPPED = "billing"
SETTINGS = "src/settings/base.py"


def drop_context(root: Path, label: str) -> None:
    for folder in [f"contexts/{label}", f"adapters/{label}"]:
        shutil.rmtree(root / folder)
    for tests in (root / "tests").glob(f"*/{label}"):
        shutil.rmtree(tests)
    settings = root / SETTINGS
    entry = f'    "adapters.{label}",\n'
    text = settings.read_text()
    assert text.count(entry) == 1, f"{SETTINGS} lists {label} once, on its own line"
    settings.write_text(text.replace(entry, ""))
    # Its routes leave the API: the fork starts its own contract (docs/api.md, "Contract
    # governance"), as a fork with no clients yet would.
    schema = run(
        root,
        "python",
        "manage.py",
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        "docs/openapi.yaml",
    )
    assert schema.returncode == 0, output(schema)
    shutil.copy(root / "docs/openapi.yaml", root / "docs/openapi-released.yaml")


def test_a_project_without_billing_passes_every_gate(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    drop_context(root, DROPPED)

    failed = failed_gates(
        root,
        linted=["."],
        tests=[
            "tests",
            "--ignore=tests/architecture/test_startcontext.py",
            "--ignore=tests/architecture/test_drop_a_context.py",
            "-n",
            "2",
        ],
    )
    seeded = run(root, "python", "manage.py", "migrate", "--no-input")
    if seeded.returncode == 0:
        seeded = run(root, "python", "manage.py", "seed_demo")

    assert not failed, "\n\n".join(failed)
    assert seeded.returncode == 0, output(seeded)
