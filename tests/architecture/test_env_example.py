"""`.env.example` and the documentation name the same environment variables, and the settings
read none that the README does not document.

The documented set is the README's "Configuration" table and the worker and outbox settings of
docs/deploy.md ("Workers"), less the two variables of that table that only scripts/start reads
(the shell, which never reads .env). The start script's own table (PORT, GUNICORN_*, ...) is
left out for the same reason. What the settings read is found in their source: every
``env.<type>("NAME", ...)``, ``env("NAME")`` and ``os.environ`` use in src/settings/*.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
README = ROOT / "README.md"
DEPLOY = ROOT / "docs" / "deploy.md"
SETTINGS = ROOT / "src" / "settings"
START_SCRIPT = ROOT / "scripts" / "start"

CONFIGURATION = (README, "## Configuration")
WORKERS = (DEPLOY, "## Workers")

# In the Workers table, but read by scripts/start (celery's command line), not by the settings:
# a line in .env would not reach them.
START_SCRIPT_ONLY = frozenset({"CELERY_WORKER_CONCURRENCY", "CELERY_WORKER_MAX_TASKS_PER_CHILD"})

# Read by the settings but not documented in the README's Configuration table: none today. A
# name here must be explained; the test fails while this set names a variable the README lists.
NOT_IN_README_YET: frozenset[str] = frozenset()

NAME = r"[A-Z][A-Z0-9_]*"
# `NAME=value`, or commented out: `# NAME=value`. Prose comments never start with `NAME=`.
ENTRY = re.compile(rf"^(?P<comment>#\s*)?(?P<name>{NAME})=(?P<value>.*)$")


def documented_variables(document: Path, heading: str) -> set[str]:
    """The variables of every `| variable | ... |` table in the section under ``heading``
    (down to the next heading of the same level or above); a row may name several."""
    lines = document.read_text().splitlines()
    assert heading in lines, f"{document.name} has no section {heading!r}"
    level = len(heading) - len(heading.lstrip("#"))
    section: list[str] = []
    fenced = False  # a `# comment` in a code block is no heading
    for line in lines[lines.index(heading) + 1 :]:
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#") and len(line) - len(line.lstrip("#")) <= level:
            break
        section.append(line)

    found: set[str] = set()
    in_table = False
    for line in section:
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not in_table:  # a header row starts a table; only "variable" tables count
            in_table = True
            reading = cells[0] == "variable"
            continue
        if reading and not set(cells[0]) <= set("-: "):  # not the |---|---| row
            found |= set(re.findall(rf"`({NAME})`", cells[0]))
    assert found, f"no `| variable | ... |` table under {heading!r} in {document.name}"
    return found


def readme_variables() -> set[str]:
    return documented_variables(*CONFIGURATION)


def expected_in_env_example() -> set[str]:
    return (readme_variables() | documented_variables(*WORKERS)) - START_SCRIPT_ONLY


def env_example_entries() -> dict[str, list[tuple[bool, str]]]:
    """Each variable of .env.example: (is the line active, its value), for every line naming it."""
    entries: dict[str, list[tuple[bool, str]]] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ENTRY.match(line)
        if match:
            active = match["comment"] is None
            entries.setdefault(match["name"], []).append((active, match["value"]))
    return entries


def _environ(node: ast.expr) -> bool:
    """``os.environ``"""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _reader(call: ast.Call) -> str | None:
    """What kind of environment read ``call`` is, if it is one."""
    function = call.func
    if isinstance(function, ast.Name) and function.id == "env":
        return "env(...)"
    if isinstance(function, ast.Attribute):
        if isinstance(function.value, ast.Name) and function.value.id == "env":
            return f"env.{function.attr}(...)"
        if _environ(function.value):
            return f"os.environ.{function.attr}(...)"
        if isinstance(function.value, ast.Name) and function.value.id == "os":
            return "os.getenv(...)" if function.attr == "getenv" else None
    return None


def settings_variables() -> dict[str, set[str]]:
    """Every variable the settings modules read, with the files that read it."""
    read: dict[str, set[str]] = {}
    unnamed: list[str] = []
    for module in sorted(SETTINGS.glob("*.py")):
        where = str(module.relative_to(ROOT))
        for node in ast.walk(ast.parse(module.read_text(), filename=where)):
            if isinstance(node, ast.Call) and (reader := _reader(node)):
                argument = node.args[0] if node.args else None
            elif isinstance(node, ast.Subscript) and _environ(node.value):
                reader, argument = "os.environ[...]", node.slice
            else:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                read.setdefault(argument.value, set()).add(where)
            else:
                unnamed.append(f"{where}:{node.lineno}: {reader}")
    # A name computed at run time would escape every comparison below.
    assert not unnamed, "environment reads without a literal name:\n" + "\n".join(unnamed)
    assert read, "found no environment read in src/settings: has the way they read changed?"
    return read


def test_env_example_lists_every_documented_variable() -> None:
    missing = expected_in_env_example() - set(env_example_entries())
    assert not missing, (
        "documented (README.md, Configuration; docs/deploy.md, Workers) but missing from "
        f".env.example: {', '.join(sorted(missing))}"
    )


def test_env_example_lists_only_documented_variables() -> None:
    extra = set(env_example_entries()) - expected_in_env_example()
    assert not extra, (
        f"in .env.example but in neither README.md's Configuration table nor docs/deploy.md's "
        f"Workers table (less the start script's variables, which .env cannot set): "
        f"{', '.join(sorted(extra))}"
    )


def test_env_example_names_each_variable_once_and_commits_no_secret_key() -> None:
    entries = env_example_entries()
    repeated = sorted(name for name, lines in entries.items() if len(lines) > 1)
    assert not repeated, f"named more than once in .env.example: {', '.join(repeated)}"
    # Every settings module reads .env, production's too: a key here must not look usable.
    assert entries["DJANGO_SECRET_KEY"] == [(False, "replace-me")], entries["DJANGO_SECRET_KEY"]


def test_the_settings_read_only_variables_the_readme_documents() -> None:
    read = settings_variables()
    readme = readme_variables()
    undocumented = {
        name: files for name, files in read.items() if name not in readme | NOT_IN_README_YET
    }
    assert not undocumented, (
        "read by the settings but not in README.md's Configuration table:\n"
        + (
            "\n".join(
                f"  {name} ({', '.join(sorted(files))})" for name, files in undocumented.items()
            )
        )
    )
    # The exceptions stay exact: each one is read, documented in docs/deploy.md, and not yet in
    # the README.
    now_in_readme = NOT_IN_README_YET & readme
    assert not now_in_readme, (
        "README.md documents these now: remove them from NOT_IN_README_YET: "
        f"{', '.join(sorted(now_in_readme))}"
    )
    not_read = NOT_IN_README_YET - set(read)
    assert not not_read, f"NOT_IN_README_YET names variables no setting reads: {sorted(not_read)}"
    assert documented_variables(*WORKERS) >= NOT_IN_README_YET


def test_the_workers_variables_left_out_are_the_start_scripts() -> None:
    # Documented with the workers, read by the script, not by the settings (nor from .env).
    read = set(settings_variables())
    script = START_SCRIPT.read_text()
    assert documented_variables(*WORKERS) >= START_SCRIPT_ONLY
    for name in sorted(START_SCRIPT_ONLY):
        assert name not in read, f"the settings read {name}: move it to .env.example"
        assert f"${{{name}:-" in script, f"scripts/start no longer reads {name}"
