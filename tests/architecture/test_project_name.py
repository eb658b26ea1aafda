"""The project's name is written once (src/settings/project.py): a fork renames itself by
changing that file (``copier copy`` does it), not by hunting through the code.

What is searched for is the template's own name, which is also the system checks' namespace
(``bastion.E101``...): check ids are documented and searched for, so they keep it in every fork,
and nothing else may. In the template that is the project's name; in a fork, it is whatever the
rename left behind. (A fork's own name is not searched for: a fork called "Acme" shares it with
the demo data's organization.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from adapters.platform.checks import NAMESPACE
from src.settings import project

ROOT = Path(__file__).resolve().parents[2]
# Every first-party Python file but the one that names the project.
SEARCHED = ("manage.py", "src", "adapters", "contexts", "kernel", "tests", "bench")
NAME_FILE = ROOT / "src" / "settings" / "project.py"
# A check id (bastion.E101, or bastion.E1 as a prefix), and the namespace's one definition.
CHECK_ID = re.compile(rf"\b{NAMESPACE}\.[EW]\d*|^NAMESPACE = \"{NAMESPACE}\"", re.IGNORECASE)


def _python_files() -> list[Path]:
    files: list[Path] = []
    for entry in SEARCHED:
        path = ROOT / entry
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if f != NAME_FILE and "results" not in f.parts]


def test_the_template_s_name_is_written_in_one_place_only() -> None:
    name = re.compile(re.escape(NAMESPACE), re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _python_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if name.search(CHECK_ID.sub("", line))
    ]

    assert not found, (
        "The project's name appears outside src/settings/project.py; read it from the settings "
        "(settings.PROJECT_NAME, settings.PROJECT_SLUG) or say it another way:\n" + "\n".join(found)
    )


def test_the_slug_can_go_into_a_urn_and_a_log_field() -> None:
    assert re.fullmatch(r"[a-z][a-z0-9-]*", project.PROJECT_SLUG)


def test_what_names_the_project_reads_it_from_the_settings() -> None:
    from django.conf import settings
    from django.contrib import admin

    from adapters.platform.rest.problems import PROBLEM_TYPE_PREFIX
    from src import urls  # noqa: F401  (names the admin)
    from src.celery import app

    assert f"urn:{project.PROJECT_SLUG}:problem:" == PROBLEM_TYPE_PREFIX
    assert settings.SPECTACULAR_SETTINGS["TITLE"] == f"{project.PROJECT_NAME} API"
    assert admin.site.site_header == f"{project.PROJECT_NAME} administration"
    logging: dict[str, Any] = settings.LOGGING
    assert logging["formatters"]["json"]["static_fields"] == {"service": project.PROJECT_SLUG}
    assert app.main == project.PROJECT_SLUG
