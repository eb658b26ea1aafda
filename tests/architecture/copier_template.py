"""The repository as a Copier template in a temporary git repository, and projects made from
it: what the tests of the fork's life (tests/architecture/test_copier.py, test_drop_a_context.py)
build on. No network: the template is a local git repository, as a fork's CI would see it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import copier

from tests.architecture.project_copy import copy_project

GIT_IDENTITY = [
    "-c",
    "user.name=Template Tests",
    "-c",
    "user.email=template-tests@example.com",
    "-c",
    "init.defaultBranch=main",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "tag.gpgsign=false",
]


def git(root: Path, *arguments: str) -> str:
    completed = subprocess.run(  # noqa: S603  (git, fixed arguments)
        ["git", *GIT_IDENTITY, *arguments],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, f"git {' '.join(arguments)}:\n{completed.stderr}"
    return completed.stdout


def commit_all(root: Path, message: str, *, tag: str | None = None) -> None:
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--no-verify", "-m", message)
    if tag:
        git(root, "tag", tag)


def template_repository(target: Path, *, version: str = "v1.0.0") -> Path:
    """The project's files (as a fork commits them) in a new git repository, tagged."""
    copy_project(target)
    git(target, "init", "--quiet")
    commit_all(target, "The template", tag=version)
    return target


def generate(template: Path, target: Path, **answers: Any) -> Path:
    """``copier copy`` of ``template``'s newest tag, answering ``answers`` (defaults else)."""
    copier.run_copy(
        str(template), str(target), data=answers, defaults=True, quiet=True, unsafe=False
    )
    return target


def update(project: Path) -> None:
    """``copier update`` to the template's newest tag; conflicts as inline markers."""
    copier.run_update(
        str(project), defaults=True, overwrite=True, quiet=True, unsafe=False, conflict="inline"
    )
