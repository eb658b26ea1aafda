"""A fork's whole life with Copier: ``copier copy`` makes a project with its own name, and
``copier update`` later brings in the template's changes while keeping the project's own edits
(a conflict shows as Copier's usual markers). docs/forking.md explains the flow.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from tests.architecture.copier_template import (
    commit_all,
    generate,
    git,
    template_repository,
    update,
)
from tests.architecture.project_copy import ROOT, output, run

pytestmark = [pytest.mark.slow, pytest.mark.project_copy]

NAME, SLUG = "Acme API", "acme-api"


def test_the_name_template_renders_the_name_file_for_the_template_itself() -> None:
    """src/settings/project.py is what its .jinja gives with the template's own answers: the
    template repository runs as the project it generates."""
    template = (ROOT / "src/settings/project.py.jinja").read_text()
    namespace: dict[str, Any] = {}
    exec((ROOT / "src/settings/project.py").read_text(), namespace)  # noqa: S102  (our own file)
    # Python source, not HTML: nothing to escape.
    environment = Environment(keep_trailing_newline=True)  # noqa: S701
    rendered = environment.from_string(template).render(
        project_name=namespace["PROJECT_NAME"],
        project_slug=namespace["PROJECT_SLUG"],
        contexts=[entry.removeprefix("adapters.") for entry in namespace["CONTEXTS"][2:]],
    )

    kept = ["adapters.identity", "adapters.organizations"]
    assert namespace["CONTEXTS"][:2] == kept, "the contexts every project keeps"
    assert rendered == (ROOT / "src/settings/project.py").read_text(), (
        "src/settings/project.py and project.py.jinja disagree: change both alike"
    )


def test_the_licence_template_is_the_licence_but_for_its_holder() -> None:
    def without_copyright(text: str) -> str:
        return re.sub(r"^Copyright \(c\) .*$", "", text, flags=re.MULTILINE)

    licence = (ROOT / "LICENSE").read_text()
    template = (ROOT / "LICENSE.jinja").read_text()

    assert without_copyright(template) == without_copyright(licence)
    assert re.search(r"^Copyright \(c\) \d{4} The .+ authors$", licence, re.MULTILINE)


def test_copy_names_the_project_and_update_brings_template_changes_and_keeps_local_ones(
    tmp_path: Path,
) -> None:
    template = template_repository(tmp_path / "template")
    project = generate(template, tmp_path / SLUG, project_name=NAME)

    assert (
        f"PROJECT_NAME = {NAME!r}".replace("'", '"')
        in (project / "src/settings/project.py").read_text()
    )
    assert f'PROJECT_SLUG = "{SLUG}"' in (project / "src/settings/project.py").read_text()
    assert not (project / "copier.yml").exists()
    answers = (project / ".copier-answers.yml").read_text()
    assert f"project_name: {NAME}" in answers
    year = datetime.now(tz=UTC).year
    assert f"Copyright (c) {year} The {NAME} authors" in (project / "LICENSE").read_text()
    assert not list(project.rglob("*.jinja")), "templates are rendered, not copied"
    assert not (project / "docs/openapi.yaml").exists(), "a fork starts its own API contract"
    assert "_commit: v1.0.0" in answers

    # The fork's life: its own commits...
    git(project, "init", "--quiet")
    commit_all(project, "Acme API, from the template")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nAcme's own paragraph, kept across updates.\n")
    deploy = project / "docs/deploy.md"
    deploy.write_text(deploy.read_text().replace("## Workers", "## Workers (Acme runs three)", 1))
    commit_all(project, "Acme's own edits")

    # ...and the template's, released later.
    problems = template / "adapters/platform/rest/problems.py"
    problems.write_text(
        problems.read_text().replace(
            '"The database is unavailable. Try again shortly."',
            '"The database is unavailable. Try again in a few seconds."',
        )
    )
    template_deploy = template / "docs/deploy.md"
    template_deploy.write_text(
        template_deploy.read_text().replace("## Workers", "## Workers and beat", 1)
    )
    commit_all(template, "A clearer outage message; a section renamed", tag="v1.1.0")

    update(project)

    updated = (project / "adapters/platform/rest/problems.py").read_text()
    assert "Try again in a few seconds." in updated, "the template's change arrived"
    assert "Acme's own paragraph, kept across updates." in readme.read_text()
    assert f'PROJECT_NAME = "{NAME}"' in (project / "src/settings/project.py").read_text()
    assert "_commit: v1.1.0" in (project / ".copier-answers.yml").read_text()
    # Both changed one line: Copier's conflict markers, for the fork to resolve.
    conflicted = deploy.read_text()
    assert re.search(r"^<<<<<<< before updating$", conflicted, re.MULTILINE), conflicted[:2000]
    assert "## Workers (Acme runs three)" in conflicted
    assert "## Workers and beat" in conflicted

    # Resolved, the project passes its fast gates.
    deploy.write_text(
        re.sub(
            r"<<<<<<< before updating\n(.*?)=======\n.*?>>>>>>> after updating\n",
            r"\1",
            conflicted,
            flags=re.DOTALL,
        )
    )
    for gate in (
        run(project, "ruff", "check", "."),
        run(project, "ruff", "format", "--check", "."),
        run(project, "python", "manage.py", "check", "--fail-level", "WARNING"),
        run(
            project,
            "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/unit",
            "tests/architecture/test_project_name.py",
        ),
    ):
        assert gate.returncode == 0, output(gate)
