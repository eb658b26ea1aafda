"""A temporary copy of the project, and every gate run in it.

Used by the tests that change the project's shape (generate a context, drop one) and must show
that what is left still passes everything CI runs. The copy holds the git-tracked files and the
untracked ones git does not ignore (no virtual environment, no var/, no caches).

Each tool runs with this test's Python environment, in the copy, on SQLite whatever
DATABASE_URL says: the copy's tests must never meet the test database of this run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
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
DROPPED_VARIABLES = {
    "DATABASE_URL",
    "SQLITE_PATH",
    "STATIC_ROOT",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "PYTHONPATH",
}
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
    root: Path, *command: str, settings: str = DEV, timeout: float = 300
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


def failed_gates(root: Path, *, linted: Iterable[str], tests: Iterable[str]) -> list[str]:
    """Run every gate of ``make check`` in the copy; the output of each that failed.

    ``linted``: what ruff reads; ``tests``: pytest's arguments (asserted to run real tests, none
    deselected, none skipped but those that need PostgreSQL).
    """
    linted = list(linted)
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
        run(root, "ruff", "check", *linted),
        run(root, "ruff", "format", "--check", *linted),
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
        run(root, "python", "manage.py", "openapi_contract"),
        run(root, "python", "manage.py", "security_summary", "--check-widening"),
        run(
            root,
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            *tests,
            settings=TEST,
            timeout=900,
        ),
    ]
    mypy_output, _ = mypy.communicate(timeout=400)

    failed = [output(result) for result in gates if result.returncode != 0]
    if mypy.returncode != 0:
        failed.append(f"$ mypy\n{mypy_output}")
    if not failed and not _all_ran(gates[-1].stdout):
        failed.append(f"the tests did not all run and pass:\n{output(gates[-1])}")
    return failed


def _all_ran(pytest_output: str) -> bool:
    """Tests passed, none deselected, and the only skips are the PostgreSQL-only tests (the
    copy runs on SQLite)."""
    lines = pytest_output.strip().splitlines()
    summary = lines[-1] if lines else ""
    skips = [line for line in lines if line.startswith("SKIPPED")]
    return (
        " passed" in summary
        and "deselected" not in summary
        and all("needs PostgreSQL" in line for line in skips)
    )
