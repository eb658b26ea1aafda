"""``manage.py startcontext``, run in a temporary copy of the project.

The copy holds the git-tracked files and the untracked ones git does not ignore (no virtual
environment, no var/, no caches). There, ``startcontext projects`` must leave a project that
passes every gate at once: ruff on what it wrote, mypy, import-linter, Django's checks (the
creed checks included), the migrations check, the OpenAPI schema validation, and the generated
tests with the two tests that read every route and every contract. It must also refuse bad or
taken names, and a second run, without changing a file.

Each tool runs with this test's Python environment, in the copy, on SQLite whatever
DATABASE_URL says: the copy's tests must never meet the test database of this run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NAME = "projects"
GENERATED = [
    f"contexts/{NAME}",
    f"adapters/{NAME}",
    f"tests/unit/{NAME}",
    f"tests/integration/{NAME}",
    f"tests/api/{NAME}",
]
REGISTRIES = ["src/settings/base.py", "src/urls.py", "src/container.py", "importlinter.ini"]
REGISTRIES += ["tests/api/route_policies.py"]
# Never copied: local state and tool caches (also when git is not there to say what is ignored).
SKIPPED = {
    ".git",
    ".venv",
    "var",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    ".import_linter_cache",
}
# Whatever the environment says, the copy runs on its own SQLite files and local settings.
DROPPED_VARIABLES = {"DATABASE_URL", "SQLITE_PATH", "STATIC_ROOT", "REDIS_URL", "PYTHONPATH"}
DEV, TEST = "src.settings.dev", "src.settings.test"


def project_files() -> list[Path]:
    """What a fork would commit: tracked files and untracked, not ignored ones."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        candidates = [Path(name) for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):  # no git: walk the tree instead
        candidates = [path.relative_to(ROOT) for path in ROOT.rglob("*") if path.is_file()]
    return [
        path
        for path in candidates
        if not SKIPPED & set(path.parts) and (ROOT / path).is_file()  # listed but deleted
    ]


def copy_project(target: Path) -> Path:
    for relative in project_files():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target / relative)
    return target


def environment(root: Path, settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_VARIABLES}
    return env | {"PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": settings}


def run(
    root: Path, *command: str, settings: str = DEV, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """Run a tool of this environment (``python`` is this interpreter) in the copy."""
    executable = sys.executable if command[0] == "python" else str(BIN / command[0])
    return subprocess.run(  # noqa: S603  (this environment's tools, fixed arguments)
        [executable, *command[1:]],
        cwd=root,
        env=environment(root, settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"$ {' '.join(map(str, result.args))}\n{result.stdout}{result.stderr}"


def fingerprint(root: Path) -> dict[str, str]:
    """Every project file of the copy, by content (tool caches and var/ left out)."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and not SKIPPED & set(path.relative_to(root).parts)
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the project in which ``startcontext projects`` has run."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    before = fingerprint(root)

    result = run(root, "python", "manage.py", "startcontext", NAME)

    assert result.returncode == 0, output(result)
    changed = {path for path, digest in fingerprint(root).items() if before.get(path) != digest}
    assert {path for path in changed if path in before} == set(REGISTRIES)
    assert all(any(path.startswith(d) for d in GENERATED) for path in changed - set(REGISTRIES))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_the_generated_context_passes_every_gate(generated: Path) -> None:
    root = generated
    written = [*GENERATED, *(path for path in REGISTRIES if path.endswith(".py"))]
    # mypy is the slowest gate (a cold cache): it runs while the others do.
    mypy = subprocess.Popen(  # noqa: S603  (this environment's mypy)
        [str(BIN / "mypy"), "--no-incremental"],
        cwd=root,
        env=environment(root, TEST),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    gates = [
        run(root, "ruff", "check", *written),
        run(root, "ruff", "format", "--check", *written),
        run(root, "lint-imports", "--no-cache", "importlinter.ini"),
        run(root, "python", "manage.py", "check", "--fail-level", "WARNING"),
        run(root, "python", "manage.py", "makemigrations", "--check", "--dry-run", "--no-input"),
        run(
            root,
            "python",
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            os.devnull,
        ),
        run(
            root,
            "pytest",
            "-q",
            *(directory for directory in GENERATED if directory.startswith("tests/")),
            "tests/architecture/test_import_contracts.py",
            "tests/api/test_route_security_matrix.py",
            settings=TEST,
        ),
    ]
    mypy_output, _ = mypy.communicate(timeout=300)

    failed = [output(result) for result in gates if result.returncode != 0]
    if mypy.returncode != 0:
        failed.append(f"$ mypy\n{mypy_output}")
    assert not failed, "\n\n".join(failed)
    tests = gates[-1].stdout.strip().splitlines()[-1]
    assert " passed" in tests
    assert "skipped" not in tests
    assert "deselected" not in tests


def test_running_it_twice_fails_and_changes_nothing(generated: Path) -> None:
    before = fingerprint(generated)

    result = run(generated, "python", "manage.py", "startcontext", NAME)

    assert result.returncode != 0
    assert "exists already" in result.stderr, output(result)
    assert fingerprint(generated) == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["platform"], "is reserved"),
        (["identity"], "is reserved"),
        (["kernel"], "is reserved"),
        (["Tasks"], "is not valid"),
        (["to-dos"], "is not valid"),
        (["2tasks"], "is not valid"),
        (["staff"], "pass it with --entity"),
        (["accounts"], "A route named 'account' exists already"),
        (["tasks", "--entity", "user"], "would clash"),
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


def test_a_dry_run_lists_the_files_and_writes_nothing(generated: Path) -> None:
    before = fingerprint(generated)

    result = run(generated, "python", "manage.py", "startcontext", "tasks", "--dry-run")

    assert result.returncode == 0, output(result)
    assert "contexts/tasks/domain/model.py" in result.stdout
    assert "adapters/tasks/migrations/0001_initial.py" in result.stdout
    assert "importlinter.ini" in result.stdout
    assert fingerprint(generated) == before
