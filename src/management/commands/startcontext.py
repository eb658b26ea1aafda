"""``manage.py startcontext <name> [--entity <singular>] [--dry-run]``: add a bounded context.

The template, ``src/management/context_template/``, is a real tenant-scoped context named
``work_items`` (entity ``work_item``) in plain Python, linted in place and generated, type-checked
and tested in a copy of the project by tests/architecture/test_startcontext.py. The command
copies it, renaming every spelling of the example's names (``Names.spellings``), and installs
the copy with one line in the project's list of contexts (``CONTEXTS`` in src/settings/project.py,
which INSTALLED_APPS takes): a context describes itself in its AppConfig, so nothing else lists
it. Every refusal (see the checks below) comes before anything is written.
docs/adding-a-context.md describes what is generated and why.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import Resolver404, get_resolver, resolve

from adapters.platform.contexts import installed_contexts

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "context_template"
SETTINGS_FILE = "src/settings/project.py"
# In the template repository (copier.yml), the file the one above is rendered from: the new line
# goes into both, so that a project copied from the template has the context too.
SETTINGS_TEMPLATE = "src/settings/project.py.jinja"
CONTEXTS_LIST = "CONTEXTS"
SCHEMA_FILE = "docs/openapi.yaml"
SUMMARY_FILE = "docs/security-summary.md"
API_PREFIX = "/api/v1/"  # where src/urls.py mounts every context's URLconf
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_NAME_LENGTH = 30
MAX_INDEX_NAME_LENGTH = 30  # Django's limit (models.E034)
LIST_INDEX_SUFFIX = "_list_idx"
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")  # in a URL pattern
# The example's names, however written: none may be left once they are renamed.
TRACE = re.compile(r"work[\W_]?items?", re.IGNORECASE)


@dataclass(frozen=True)
class Names:
    """A context's name (plural: ``projects``) and its entity's (``project``)."""

    context: str
    entity: str

    def spellings(self) -> list[str]:
        """Every way the code writes the two names, in the same order for every context:
        snake_case, UPPER_CASE, CamelCase, slug, words, Capitalised words, and the flat
        lowercase of Django's model names (``workitem``)."""
        found: list[str] = []
        for name in (self.context, self.entity):
            words = name.replace("_", " ")
            camel = "".join(part.capitalize() for part in name.split("_"))
            found += [name, name.upper(), camel, name.replace("_", "-"), words, words.capitalize()]
            found.append(name.replace("_", ""))
        return found

    @property
    def list_index(self) -> str:
        """The list's index name, cut to Django's length limit."""
        room = MAX_INDEX_NAME_LENGTH - len(LIST_INDEX_SUFFIX)
        return self.context[:room].rstrip("_") + LIST_INDEX_SUFFIX


EXAMPLE = Names("work_items", "work_item")


def renamer(names: Names) -> Callable[[str], str]:
    """Replace each spelling of the example's names by the same spelling of ``names``, longest
    first, in one pass (what it writes is not read again)."""
    table = dict(zip(EXAMPLE.spellings(), names.spellings(), strict=True))
    table[EXAMPLE.list_index] = names.list_index
    pattern = re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))
    return lambda text: pattern.sub(lambda match: table[match.group(0)], text)


# --- the names ------------------------------------------------------------------------------------


def check_identifier(value: str, what: str) -> None:
    if not NAME_PATTERN.match(value) or len(value) > MAX_NAME_LENGTH:
        raise CommandError(
            f"{what} {value!r} is not valid: use lowercase letters, digits and single "
            f"underscores, starting with a letter, at most {MAX_NAME_LENGTH} characters "
            "(e.g. projects, support_tickets)."
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise CommandError(f"{what} {value!r} is a Python keyword.")
    if TRACE.search(value):
        raise CommandError(f"{what} {value!r} contains the template's own name, work_items.")


def make_names(name: str, entity: str | None) -> Names:
    if entity is None:
        if not name.endswith("s") or name.endswith("ss"):
            raise CommandError(
                f"Cannot guess the singular of {name!r}: pass it with --entity "
                f"(e.g. startcontext {name} --entity <singular>)."
            )
        entity = name.removesuffix("s")
    check_identifier(entity, "The entity name")
    if hasattr(builtins, entity):
        raise CommandError(f"The entity name {entity!r} is a Python built-in name.")
    if entity == name:
        raise CommandError("The entity name must differ from the context name (its plural).")
    return Names(name, entity)


# --- the template ---------------------------------------------------------------------------------


def template_files() -> Iterator[Path]:
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def render(root: Path, names: Names) -> dict[Path, str]:
    """Target path → content, for every file of the template; no trace of the example left."""
    rename = renamer(names)
    limit = line_length(root)
    files = {}
    for source in template_files():
        text = rename(source.read_text())
        files[root / rename(source.relative_to(TEMPLATE_DIR).as_posix())] = (
            wrap_prose(text, limit) if source.suffix == ".py" else text
        )
    leftovers = [
        str(path.relative_to(root))
        for path, text in files.items()
        if TRACE.search(str(path.relative_to(root))) or TRACE.search(text)
    ]
    if leftovers:
        raise CommandError(
            f"The template's own name is left in {leftovers}: Names.spellings() does not know "
            "a way the template writes it. Nothing was written."
        )
    return files


def line_length(root: Path) -> int:
    """The project's ruff line length (ruff's default without one)."""
    try:
        config = tomllib.loads((root / "pyproject.toml").read_text())
    except OSError:
        return 88
    return int(config.get("tool", {}).get("ruff", {}).get("line-length", 88))


def wrap_prose(text: str, limit: int) -> str:
    """Re-wrap each paragraph of a comment or docstring that a name longer than the example's
    made longer than ``limit`` (ruff's formatter leaves prose alone)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    kinds = {  # line number → what its prose belongs to: a docstring, or a column of comments
        number: ('"""', *token.start)
        for token in tokens
        if token.type == tokenize.STRING and token.string.startswith('"""')
        for number in range(token.start[0], token.end[0] + 1)
    }
    kinds |= {
        token.start[0]: ("#", 0, token.start[1])
        for token in tokens
        if token.type == tokenize.COMMENT and token.line.lstrip().startswith("#")
    }
    lines = text.splitlines(keepends=True)
    wrapped: list[str] = []
    index = 0
    while index < len(lines):
        line, kind = lines[index], kinds.get(index + 1)
        index += 1
        if kind is None or len(line.rstrip("\n")) <= limit:
            wrapped.append(line)
            continue
        comment = kind[0] == "#"
        paragraph = [line]
        while (  # the rest of the paragraph: same comment or docstring, up to a blank line
            index < len(lines)
            and kinds.get(index + 1) == kind
            and lines[index].strip().removeprefix("#").strip()
            and not paragraph[-1].rstrip().endswith('"""')
        ):
            paragraph.append(lines[index])
            index += 1
        indent = line[: len(line) - len(line.lstrip())]
        prefix = "# " if comment else ""
        words = " ".join(
            p.strip().removeprefix("#").strip() if comment else p.strip() for p in paragraph
        )
        width = limit - len(indent) - len(prefix)
        parts = textwrap.wrap(words, width, break_long_words=False, break_on_hyphens=False)
        wrapped += [f"{indent}{prefix}{part}\n" for part in parts]
    return "".join(wrapped)


def context_folders(root: Path, context: str) -> list[Path]:
    """The new context's folders: those of the template named after the example, renamed."""
    return [
        root / folder.relative_to(TEMPLATE_DIR).parent / context
        for folder in sorted(TEMPLATE_DIR.rglob(EXAMPLE.context))
        if folder.is_dir()
    ]


def identifier_clashes(names: Names) -> set[str]:
    """Names the renamed code would use that the template uses already for something else."""
    rename = renamer(names)
    tokens = {
        token.string
        for source in template_files()
        if source.suffix == ".py"
        for token in tokenize.generate_tokens(io.StringIO(source.read_text()).readline)
        if token.type == tokenize.NAME
    }
    kept = {token for token in tokens if not TRACE.search(token)}
    return kept & {rename(token) for token in tokens - kept}


# --- what the project has already -----------------------------------------------------------------


def check_not_taken(root: Path, name: str) -> None:
    """The context's name must be new to the project: not a name of its layout, not an
    installed app's label, no folder of that name where the context's would go."""
    layout = {path.parent.name for path in root.glob("*/__init__.py")}
    layout |= {p.name for p in TEMPLATE_DIR.rglob("*") if p.is_dir() and not TRACE.search(p.name)}
    if name in layout:
        raise CommandError(f"{name!r} is part of the project's layout: choose another name.")
    labels = {config.label: config.name for config in apps.get_app_configs()}
    if name in labels:
        raise CommandError(
            f"{name!r} exists already: it is the label of the installed app {labels[name]}."
        )
    existing = [str(p.relative_to(root)) for p in context_folders(root, name) if p.exists()]
    if existing:
        raise CommandError(
            f"A context named {name!r} exists already ({', '.join(existing)}). To start over, "
            "remove it first (docs/adding-a-context.md, 'Removing a generated context')."
        )


def check_clashes(root: Path, names: Names, files: Mapping[Path, str]) -> None:
    """Nothing the generated code names may be in use already: identifiers of the template,
    route names, path parameters, URLs, view classes, index and constraint names."""
    clashes = identifier_clashes(names)
    if clashes:
        raise CommandError(
            f"{', '.join(sorted(clashes))} would clash with names the template's code uses "
            "already: choose another name or --entity."
        )
    rename = renamer(names)
    template = "adapters/" + EXAMPLE.context + "/{}.py"
    check_routes(
        (TEMPLATE_DIR / template.format("urls")).read_text(),
        files[root / rename(template.format("urls"))],
        rename,
    )
    check_views(files[root / rename(template.format("views"))])
    check_database_names(files[root / rename(template.format("models"))])


def check_routes(template_urls: str, urls: str, rename: Callable[[str], str]) -> None:
    known = get_resolver().reverse_dict  # route name → its patterns (and view → its patterns)
    route_names = {key for key in known if isinstance(key, str)}
    for route_name in re.findall(r'name="([^"]+)"', urls):
        if route_name in route_names:
            raise CommandError(f"A route named {route_name!r} exists already.")
    parameters = {
        parameter
        for key in route_names
        for _, regex, _, _ in known.getlist(key)
        for parameter in re.findall(r"\(\?P<(\w+)>", regex)
    }
    for parameter in PARAMETER.findall(template_urls):
        if TRACE.search(parameter) and rename(parameter) in parameters:
            raise CommandError(f"The path parameter {rename(parameter)} is in use already.")
    for path in _paths(urls):
        try:
            match = resolve(API_PREFIX + PARAMETER.sub("1", path))
        except Resolver404:
            continue
        if match.url_name is not None:  # anything but the API's catch-all 404
            shown = API_PREFIX + PARAMETER.sub(r"{\1}", path)
            raise CommandError(f"{shown} is served by {match.url_name!r} already.")


def _paths(urls: str) -> list[str]:
    """The route of every ``path(...)`` of a URLconf, its f-string fields filled in from the
    module's string constants (``org = "orgs/<id:org_id>"``)."""
    constants = dict(re.findall(r'^(\w+) = "([^"]*)"$', urls, re.MULTILINE))
    routes = re.findall(r'\bpath\(\s*f?"([^"]+)"', urls)
    return [re.sub(r"\{(\w+)\}", lambda field: constants[field.group(1)], r) for r in routes]


def check_views(views: str) -> None:
    """The OpenAPI components and operation ids are named after the view and serializer
    classes: none may be defined in another context's views already."""
    defined = re.findall(r"^class (\w+)", views, re.MULTILINE)
    for context in installed_contexts():
        if context.url_module() is None:
            continue  # no routes, no views
        module = import_module(f"{context.name}.views")
        taken = [name for name in defined if _defined_in(module, name)]
        if taken:
            raise CommandError(
                f"{module.__name__} defines {', '.join(taken)} already: the OpenAPI components "
                "and operation ids would clash. Choose another --entity."
            )


def _defined_in(module: ModuleType, name: str) -> bool:
    return getattr(getattr(module, name, None), "__module__", None) == module.__name__


def check_database_names(models: str) -> None:
    taken = {
        item.name
        for model in apps.get_models()
        for item in (*model._meta.indexes, *model._meta.constraints)
    }
    for name in re.findall(r'\bname="([^"]+)"', models):
        if name in taken:
            raise CommandError(f"The index or constraint name {name} is in use already.")


# --- the one line in CONTEXTS ---------------------------------------------------------------------


def settings_edit(root: Path, names: Names) -> tuple[Path, str, str]:
    """(the settings file, its new content, the line added): ``"adapters.<name>",`` right after
    the last ``"adapters.…"`` entry of CONTEXTS."""
    path = root / SETTINGS_FILE
    text = path.read_text()
    entry = f"adapters.{names.context}"
    lists = [
        node.value
        for node in ast.parse(text).body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.List)
        and any(getattr(target, "id", None) == CONTEXTS_LIST for target in node.targets)
    ]
    entries = [
        (element.lineno, element.value)
        for element in (lists[-1].elts if lists else [])
        if isinstance(element, ast.Constant) and isinstance(element.value, str)
    ]
    if entry in [value for _, value in entries]:
        raise CommandError(f"{SETTINGS_FILE} lists {entry!r} already.")
    contexts = [lineno for lineno, value in entries if value.startswith("adapters.")]
    lines = text.splitlines(keepends=True)
    line = lines[contexts[-1] - 1].rstrip("\n") if contexts else ""
    alone = re.fullmatch(r"""(\s*)(["'])adapters\.[\w.]+\2,\s*(#.*)?""", line)
    if not contexts or alone is None:
        raise CommandError(
            f"Cannot place {entry!r} in {SETTINGS_FILE}: it goes right after the last "
            f"'adapters.…' entry of {CONTEXTS_LIST}, which must be alone on its line and followed "
            "by a comma. Nothing was written: add it yourself, after the contexts it uses."
        )
    lines.insert(contexts[-1], f'{alone.group(1)}"{entry}",\n')
    return path, "".join(lines), f'"{entry}",'


def settings_template_edit(root: Path, added: str) -> dict[Path, str]:
    """In the template repository, the same line in the file src/settings/project.py is rendered
    from, before the closing bracket of its CONTEXTS list (the kept contexts are a loop there)."""
    path = root / SETTINGS_TEMPLATE
    if not path.exists():
        return {}
    lines = path.read_text().splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if line.startswith(f"{CONTEXTS_LIST} = [")), None
    )
    end = (
        next((i for i in range(start, len(lines)) if lines[i].strip() == "]"), None)
        if start is not None
        else None
    )
    if end is None:
        raise CommandError(
            f"Cannot place {added} in {SETTINGS_TEMPLATE}: it goes before the closing bracket of "
            f"its {CONTEXTS_LIST} list. Nothing was written."
        )
    lines.insert(end, f"    {added}\n")
    return {path: "".join(lines)}


# --- writing --------------------------------------------------------------------------------------


def write_all(files: Mapping[Path, str], registries: Mapping[Path, str]) -> None:
    """Write everything or, on any error, nothing: new folders are removed, the registries (the
    files that gain the context's line) restored."""
    originals = {path: path.read_text() for path in registries}
    missing = {p for path in files for p in (path.parent, *path.parent.parents) if not p.exists()}
    new_folders = {folder for folder in missing if folder.parent not in missing}
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for path, text in registries.items():
            path.write_text(text)
    except BaseException:
        for folder in new_folders:
            shutil.rmtree(folder, ignore_errors=True)
        for path, text in originals.items():
            path.write_text(text)
        raise


def format_with_ruff(root: Path, files: Mapping[Path, str], say: Callable[[str], None]) -> None:
    """Names longer or shorter than the example's change line lengths, and may change import
    order: the project's ruff settles both (migrations excluded, as its settings say)."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    ruff = shutil.which("ruff", path=search)
    if ruff is None:
        say("ruff not found: the new files were not formatted (run `ruff format`).")
        return
    python = [str(path.relative_to(root)) for path in files if path.suffix == ".py"]
    for command in (
        [ruff, "check", "--quiet", "--fix", "--select", "I", "--force-exclude", *python],
        [ruff, "format", "--quiet", "--force-exclude", *python],
    ):
        result = subprocess.run(  # noqa: S603  (the project's ruff, on the files just written)
            command, cwd=root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            say(f"`ruff {command[1]}` failed:\n{result.stdout}{result.stderr}")


def regenerate_documents(root: Path, say: Callable[[str], None]) -> None:
    """The new routes join the committed OpenAPI schema (docs/openapi.yaml, the contract gate's)
    and security summary (docs/security-summary.md, the widening gate's): new endpoints behind a
    token break no client and widen no exposure, so both gates pass once the files say what the
    code serves. In a new process, which has the new context installed."""
    for document, arguments, make_target in [
        (
            SCHEMA_FILE,
            ["spectacular", "--validate", "--fail-on-warn", "--file", SCHEMA_FILE],
            "openapi",
        ),
        (SUMMARY_FILE, ["security_summary", "--write"], "security-summary"),
    ]:
        if not (root / document).exists():
            continue
        result = subprocess.run(  # noqa: S603  (this interpreter, the project's manage.py)
            [sys.executable, "manage.py", *arguments],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            say(f"{document} was not regenerated (run `make {make_target}`):\n{result.stderr}")


# --- the command ----------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create a tenant-scoped bounded context (domain, services, API, Django app, migration, "
        "admin, tests) from the work_items example and install it; every check passes right "
        "after. See docs/adding-a-context.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The context's name, plural: e.g. projects.")
        parser.add_argument(
            "--entity", help="The entity's name, singular (default: the name without its final s)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be written; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        check_identifier(options["name"], "The context name")
        check_not_taken(root, options["name"])
        names = make_names(options["name"], options["entity"])
        files = render(root, names)
        check_clashes(root, names, files)
        settings_path, settings_text, added = settings_edit(root, names)
        registries = {settings_path: settings_text, **settings_template_edit(root, added)}
        if not options["dry_run"]:
            write_all(files, registries)
            format_with_ruff(root, files, self.stderr.write)
            regenerate_documents(root, self.stderr.write)

        would = options["dry_run"]
        self.stdout.write(f"{'Would create' if would else 'Created'} the {names.context} context:")
        for path in files:
            self.stdout.write(f"  {path.relative_to(root)}")
        added_to = f"{'Would add' if would else 'Added'} to {CONTEXTS_LIST} in {SETTINGS_FILE}"
        self.stdout.write(f"{added_to}:\n  {added}")
        if not options["dry_run"]:
            self.stdout.write(
                "Next: `python manage.py migrate`, then `make check`; what to edit next: "
                "docs/adding-a-context.md."
            )
