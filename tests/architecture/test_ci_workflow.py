"""The GitHub Actions workflow runs what .ci/run runs, the README's test command, and passes
actionlint.

Both CI definitions run the one command the README gives for the tests (`make check`): first on
SQLite, then with DATABASE_URL naming a PostgreSQL server. The workflow's PostgreSQL is
compose.yaml's image, its Python versions are the oldest the project supports and the newest it
is tested on, and every action is pinned to a commit.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CI_WORKFLOW = WORKFLOWS / "ci.yml"
CI_RUN = ROOT / ".ci" / "run"
README = ROOT / "README.md"
PYTHON_VERSIONS = ["3.11", "3.13"]
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def readme_commands() -> list[str]:
    """The commands of the README's Quickstart block (comments dropped)."""
    text = README.read_text()
    quickstart = text[text.index("## Quickstart") :]
    block = re.search(r"```sh\n(.*?)```", quickstart, re.DOTALL)
    assert block, "README.md's Quickstart has no ```sh block"
    commands = [line.split("#", 1)[0].strip() for line in block[1].splitlines()]
    return [command for command in commands if command]


def command_and_environment(line: str) -> tuple[str, dict[str, str]]:
    """``VAR=value make check`` -> ("make check", {"VAR": "value"})."""
    words = shlex.split(line)
    variables = {}
    while words and ASSIGNMENT.match(words[0]):
        name, value = words.pop(0).split("=", 1)
        variables[name] = value
    return " ".join(words), variables


def ci_run_commands() -> list[tuple[str, dict[str, str]]]:
    """The `make` invocations of .ci/run, in order, with the variables set on each line."""
    found = []
    for raw in CI_RUN.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        command, variables = command_and_environment(line)
        if command.split()[:1] == ["make"]:
            found.append((command, variables))
    return found


def workflow() -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(CI_WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True.
    return {("on" if key is True else str(key)): value for key, value in loaded.items()}


def workflow_commands() -> list[tuple[str, dict[str, str]]]:
    """The `make` steps of every job, in order, with the environment each step adds."""
    found = []
    for job in workflow()["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                command, variables = command_and_environment(line)
                if command.split()[:1] == ["make"]:
                    found.append((command, {**step.get("env", {}), **variables}))
    return found


def test_ci_runs_the_readmes_test_command_on_sqlite_then_on_postgresql() -> None:
    for source, commands in ((".ci/run", ci_run_commands()), ("ci.yml", workflow_commands())):
        assert [command for command, _ in commands] == ["make check", "make check"], (
            f"{source} runs {commands}; it should run `make check` twice"
        )
        assert commands[0][0] in readme_commands(), (
            f"{source} runs `{commands[0][0]}`, which the README's Quickstart does not give"
        )
        sqlite, postgres = (variables for _, variables in commands)
        assert "DATABASE_URL" not in sqlite, f"{source}: the first run is on SQLite"
        assert "PYTEST_ADDOPTS" not in sqlite, f"{source}: the first run runs every test"
        # The second leaves out only what the first ran already on SQLite, in copies.
        assert postgres.get("PYTEST_ADDOPTS") == "-m 'not project_copy'", source
        assert "DATABASE_URL" in postgres, f"{source}: the second run names PostgreSQL"
        # .ci/run names the server through a variable with a default: look at the default.
        url = postgres["DATABASE_URL"].removeprefix("${CI_DATABASE_URL:-").removesuffix("}")
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname, parts.port) == ("postgres", "127.0.0.1", 5432), (
            f"{source}: the second run's DATABASE_URL is {url}"
        )


def test_the_workflow_tests_both_python_versions_against_composes_postgresql() -> None:
    (job,) = workflow()["jobs"].values()
    assert job["strategy"]["matrix"]["python"] == PYTHON_VERSIONS
    assert job["env"]["PYTHON"] == "python${{ matrix.python }}"
    lowest = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text())
    assert lowest, "pyproject.toml has no requires-python lower bound"
    assert lowest[1] == PYTHON_VERSIONS[0], "CI should test the oldest supported Python"

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    service = job["services"]["postgres"]
    assert service["image"] == compose["services"]["db"]["image"]
    assert "--health-cmd" in service["options"]
    assert "5432:5432" in service["ports"]
    assert job["timeout-minutes"] <= 90
    assert workflow()["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it() -> None:
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            uses = re.search(r"uses:\s*(\S+)", line)
            if uses and not uses[1].startswith(("./", "docker://")):
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses[1]), (
                    f"{path.name}:{number}: pin {uses[1]} to a commit SHA"
                )
                assert re.search(r"#\s*v\d", line), f"{path.name}:{number}: say which version"


def test_the_workflows_pass_actionlint() -> None:
    # This environment's first (pip puts it beside the interpreter), else one on PATH.
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    actionlint = shutil.which("actionlint", path=search)
    assert actionlint, (
        "actionlint is not installed, neither in this environment nor on PATH: "
        "requirements/dev.in lists the package that brings it (`make lock`, then `make check` "
        "reinstalls)"
    )
    workflows = sorted(str(path) for path in WORKFLOWS.glob("*.y*ml"))
    assert workflows, "no workflow in .github/workflows"
    # shellcheck and pyflakes off: their findings would depend on what else is installed.
    result = subprocess.run(  # noqa: S603  (actionlint, fixed arguments)
        [actionlint, "-no-color", "-oneline", "-shellcheck=", "-pyflakes=", *workflows],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"actionlint:\n{result.stdout}{result.stderr}"
