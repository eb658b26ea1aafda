"""``manage.py startcontext``, run in a temporary copy of the project.

There (tests/architecture/project_copy.py), ``startcontext projects`` must leave a project that
passes every gate at once: ruff on what it wrote, mypy, import-linter, Django's checks (the
creed checks included), the migrations check, the OpenAPI schema validation, and the generated
tests with the tests that read every context, route and contract. It writes only new files and
the one INSTALLED_APPS line, leaves no trace of the template's own names (``work_items``), and
refuses bad or taken names, and a second run, without changing a file. The template itself is
type-checked and tested here, through what it generates.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from src.management.commands.startcontext import (
    SETTINGS_FILE,
    SETTINGS_TEMPLATE,
    Names,
    format_with_ruff,
    render,
    settings_edit,
)
from tests.architecture.project_copy import (
    BIN,
    ROOT,
    copy_project,
    failed_gates,
    fingerprint,
    output,
    run,
)

slow = pytest.mark.slow
# Every test here runs startcontext in a copy, or reads the template the copies are made from.
pytestmark = pytest.mark.project_copy

NAME = "projects"
GENERATED = [
    f"contexts/{NAME}",
    f"adapters/{NAME}",
    f"tests/unit/{NAME}",
    f"tests/integration/{NAME}",
    f"tests/api/{NAME}",
]
# The existing files it may change: the CONTEXTS entry (in src/settings/project.py and, in the
# template repository, in the file Copier renders it from), and the committed OpenAPI schema and
# security summary (regenerated with the new routes).
REGISTRIES = [
    SETTINGS_FILE,
    "docs/openapi.yaml",
    "docs/security-summary.md",
    *([SETTINGS_TEMPLATE] if (ROOT / SETTINGS_TEMPLATE).exists() else []),  # the template only
]
# The template's names, however spelled (work_items, WorkItem, work-item, workitem, Work items).
TRACE = re.compile(r"work[\W_]?items?", re.IGNORECASE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the project in which ``startcontext projects`` has run."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    before = fingerprint(root)
    settings_before = (root / SETTINGS_FILE).read_text().splitlines()

    result = run(root, "python", "manage.py", "startcontext", NAME)

    assert result.returncode == 0, output(result)
    changed = {path for path, digest in fingerprint(root).items() if before.get(path) != digest}
    assert {path for path in changed if path in before} == set(REGISTRIES)
    assert all(any(path.startswith(d) for d in GENERATED) for path in changed - set(REGISTRIES))
    # One line, right after the last context of CONTEXTS.
    settings_after = (root / SETTINGS_FILE).read_text().splitlines()
    diff = list(difflib.ndiff(settings_before, settings_after))
    assert [line for line in diff if line[0] in "+-"] == [f'+     "adapters.{NAME}",']
    added = settings_after.index(f'    "adapters.{NAME}",')
    start = settings_before.index("CONTEXTS = [")
    end = settings_before.index("]", start)
    last_context = max(
        i for i in range(start, end) if settings_before[i].strip().startswith('"adapters.')
    )
    assert added == last_context + 1
    yield root
    shutil.rmtree(root, ignore_errors=True)


@slow
def test_the_generated_context_passes_every_gate(generated: Path) -> None:
    failed = failed_gates(
        generated,
        linted=[*GENERATED, SETTINGS_FILE],
        tests=[
            *(directory for directory in GENERATED if directory.startswith("tests/")),
            "tests/architecture/test_import_contracts.py",
            "tests/architecture/test_context_shape.py",
            "tests/api/test_route_security_matrix.py",
        ],
    )

    assert not failed, "\n\n".join(failed)


@slow
def test_no_trace_of_the_template_is_left(generated: Path) -> None:
    files = [path for folder in GENERATED for path in (generated / folder).rglob("*.py")]
    traces = [
        str(path.relative_to(generated))
        for path in files
        if TRACE.search(str(path.relative_to(generated))) or TRACE.search(path.read_text())
    ]

    assert len(files) > 25
    assert not traces
    assert (generated / f"tests/api/{NAME}/test_{NAME}.py").is_file()


@slow
def test_running_it_twice_fails_and_changes_nothing(generated: Path) -> None:
    before = fingerprint(generated)

    result = run(generated, "python", "manage.py", "startcontext", NAME)

    assert result.returncode != 0
    assert "exists already" in result.stderr, output(result)
    assert fingerprint(generated) == before


@slow
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Tasks"], "is not valid"),
        (["to-dos"], "is not valid"),
        (["2tasks"], "is not valid"),
        (["class"], "is a Python keyword"),
        (["identity"], "the label of the installed app adapters.identity"),
        (["platform"], "the label of the installed app adapters.platform"),
        (["auth"], "the label of the installed app django.contrib.auth"),
        (["kernel"], "is part of the project's layout"),
        (["domain"], "is part of the project's layout"),
        (["homework_items"], "contains the template's own name"),
        (["staff"], "pass it with --entity"),
        (["tasks", "--entity", "list"], "is a Python built-in"),
        (["accounts"], "A route named 'account' exists already"),
        (["tasks", "--entity", "user"], "would clash"),
        (["members", "--entity", "membership"], "is served by 'org-members' already"),
    ],
)
def test_bad_or_taken_names_are_refused_and_nothing_is_written(
    generated: Path, arguments: list[str], message: str
) -> None:
    before = fingerprint(generated)

    result = run(generated, "python", "manage.py", "startcontext", *arguments)

    assert result.returncode != 0
    assert message in result.stderr, output(result)
    assert fingerprint(generated) == before


@slow
def test_a_dry_run_lists_the_files_and_the_settings_line_and_writes_nothing(
    generated: Path,
) -> None:
    before = fingerprint(generated)

    result = run(generated, "python", "manage.py", "startcontext", "tasks", "--dry-run")

    assert result.returncode == 0, output(result)
    assert "contexts/tasks/domain/model.py" in result.stdout
    assert "adapters/tasks/migrations/0001_initial.py" in result.stdout
    assert "tests/api/tasks/route_policies.py" in result.stdout
    assert f'{SETTINGS_FILE}:\n  "adapters.tasks",' in result.stdout
    assert "importlinter.ini" not in result.stdout
    assert fingerprint(generated) == before


# --- rendering, in this process ------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        Names("people", "person"),
        Names("quality_assurance_reviews_2026", "quality_assurance_review_2026"),
    ],
    ids=["irregular plural", "longest name"],
)
def test_every_spelling_of_the_template_names_is_renamed(tmp_path: Path, names: Names) -> None:
    files = render(tmp_path, names)
    camel = "".join(part.capitalize() for part in names.entity.split("_"))
    text = {str(path.relative_to(tmp_path)): content for path, content in files.items()}
    models = text[f"adapters/{names.context}/models.py"]
    migration = text[f"adapters/{names.context}/migrations/0001_initial.py"]

    assert not [path for path, content in text.items() if TRACE.search(path + content)]
    assert f"class {camel}(models.Model):" in models
    assert f"name='{camel}'" in migration
    assert f'label = "{names.context}"' in text[f"adapters/{names.context}/apps.py"]
    assert (
        f'"{names.entity.replace("_", "-")}": {{'
        in text[f"tests/api/{names.context}/route_policies.py"]
    )
    # Django caps index names at 30 characters; the model and its migration agree.
    indexes = re.findall(r"name=\"(\w+_idx)\"", models)
    assert indexes
    assert all(len(index) <= 30 and f"name='{index}'" in migration for index in indexes)


def test_a_name_of_the_longest_length_still_passes_ruff(tmp_path: Path) -> None:
    """Ruff formats the code; the command re-wraps the prose that longer names made too long."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    files = render(tmp_path, Names("quality_assurance_reviews_2026", "qa_review"))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    format_with_ruff(tmp_path, files, pytest.fail)

    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(  # noqa: S603  (this environment's ruff, fixed arguments)
            [str(BIN / "ruff"), *command, "--no-cache", "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "settings_text",
    [
        "DEBUG = True\n",
        'CONTEXTS = ["django.contrib.admin"]\n',
        'CONTEXTS = [\n    "adapters.identity", "adapters.organizations"]\n',
        'CONTEXTS = [\n    "adapters.identity"\n]\n',
    ],
    ids=["no list", "no context", "not alone on its line", "no comma"],
)
def test_the_settings_line_is_refused_where_it_cannot_be_placed(
    tmp_path: Path, settings_text: str
) -> None:
    (tmp_path / SETTINGS_FILE).parent.mkdir(parents=True)
    (tmp_path / SETTINGS_FILE).write_text(settings_text)

    with pytest.raises(CommandError, match="Nothing was written"):
        settings_edit(tmp_path, Names("projects", "project"))
