"""``manage.py startcontext <name>``: add a tenant-scoped bounded context that passes every gate.

It renders the templates in ``src/management/context_template/`` (``.py-tpl`` files, which no
linter, type checker or test runner reads as code) into ``contexts/<name>/``,
``adapters/<name>/`` and ``tests/{unit,integration,api}/<name>/``, then registers the context
where the project lists its contexts, at ``# startcontext: ...`` marker comments:

- ``src/settings/base.py``: INSTALLED_APPS;
- ``src/urls.py``: the API's URL includes;
- ``src/container.py``: the imports (sorted into the first-party block), the application
  container, the views to wire;
- ``importlinter.ini``: the layer of independent adapters, and an adapter-scope contract;
- ``tests/api/route_policies.py``: the routes' security policy, and the factory of the objects
  their path parameter names, for the route security matrix.

Everything is checked before anything is written: an invalid or taken name, a context that is
already registered, or a missing marker stops the command with nothing changed. Placeholders
in the templates are ``{{ key }}``, for the keys of ``Names.placeholders``.
docs/adding-a-context.md describes what is generated and why.
"""

from __future__ import annotations

import builtins
import io
import keyword
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import Resolver404, get_resolver, resolve

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "context_template"
TEMPLATE_SUFFIX = ".py-tpl"
PATH_PLACEHOLDER = "context_name"  # in template paths: replaced by the context's name
PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")
MARKER_PREFIX = "# startcontext: "

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_NAME_LENGTH = 30
# Names the project already gives a meaning to (packages, layers, the planted context of
# tests/architecture/test_import_contracts.py, URL segments), besides every installed app label.
RESERVED = frozenset(
    {
        "adapters",
        "api",
        "application",
        "billing",
        "contexts",
        "domain",
        "identity",
        "intruder",
        "kernel",
        "management",
        "migrations",
        "organizations",
        "orgs",
        "platform",
        "src",
        "tests",
    }
)
# The security policy of every route, which tests/api/test_route_security_matrix.py enforces.
ROUTE_POLICIES = "tests/api/route_policies.py"


@dataclass(frozen=True)
class Names:
    """The new context's name (plural: ``projects``) and its entity's (``project``)."""

    context: str
    entity: str

    @property
    def placeholders(self) -> dict[str, str]:
        words, entity_words = self.context.replace("_", " "), self.entity.replace("_", " ")
        return {
            "context": self.context,  # projects: packages, app label, repository attribute
            "Context": _camel(self.context),  # Projects: ProjectsConfig, ProjectsContainer
            "entity": self.entity,  # project: variables, project_id
            "Entity": _camel(self.entity),  # Project: the entity, the model, ProjectService
            "context_slug": self.context.replace("_", "-"),  # URL segment, list route name
            "entity_slug": self.entity.replace("_", "-"),  # item route name, problem types
            "context_words": words,  # prose: "support tickets"
            "Context_words": words.capitalize(),  # the app's verbose_name
            "entity_words": entity_words,  # prose: "support ticket"
            # Django caps index names at 30 characters.
            "list_index": f"{self.context[:21].rstrip('_')}_list_idx",
        }


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


# --- validating the names -------------------------------------------------------------------------


def check_identifier(value: str, what: str, *, local_variable: bool = False) -> None:
    """``local_variable``: the generated code also uses it as a variable name (the entity)."""
    if not NAME_PATTERN.match(value) or len(value) > MAX_NAME_LENGTH:
        raise CommandError(
            f"{what} {value!r} is not valid: use lowercase letters, digits and single "
            f"underscores, starting with a letter, at most {MAX_NAME_LENGTH} characters "
            "(e.g. projects, support_tickets)."
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        raise CommandError(f"{what} {value!r} is a Python keyword.")
    if local_variable and hasattr(builtins, value):
        raise CommandError(f"{what} {value!r} is a Python built-in name.")


def make_names(name: str, entity: str | None) -> Names:
    check_identifier(name, "The context name")
    if name in RESERVED:
        raise CommandError(f"{name!r} is reserved: the project already uses that name.")
    if entity is None:
        if not name.endswith("s") or name.endswith("ss"):
            raise CommandError(
                f"Cannot guess the singular of {name!r}: pass it with --entity "
                f"(e.g. startcontext {name} --entity <singular>)."
            )
        entity = name.removesuffix("s")
    check_identifier(entity, "The entity name", local_variable=True)
    if entity == name:
        raise CommandError("The entity name must differ from the context name (its plural).")
    names = Names(name, entity)
    clashes = {name, entity, _camel(name), _camel(entity)} & template_identifiers()
    if clashes:
        raise CommandError(
            f"{', '.join(sorted(clashes))} would clash with a name the generated code already "
            "uses (a variable, a parameter or an import): choose another name or --entity."
        )
    return names


def template_identifiers() -> set[str]:
    """Every identifier the templates use in code (not in comments or strings)."""
    found: set[str] = set()
    for template in TEMPLATE_DIR.rglob(f"*{TEMPLATE_SUFFIX}"):
        code = PLACEHOLDER.sub("placeholder", template.read_text())
        tokens = tokenize.generate_tokens(io.StringIO(code).readline)
        found |= {token.string for token in tokens if token.type == tokenize.NAME}
    return found


def check_not_taken(root: Path, names: Names) -> None:
    """The context must be new: no package, app label, URL, route name or path parameter of
    that name may exist yet, nor an OpenAPI component or view class of the entity's name."""
    values = names.placeholders
    existing = [
        str(path.relative_to(root)) for path in package_dirs(root, names.context) if path.exists()
    ]
    if existing:
        raise CommandError(
            f"A context named {names.context!r} exists already ({', '.join(existing)}). "
            "To start over, remove it first (docs/adding-a-context.md, 'Removing a context')."
        )
    labels = {config.label for config in apps.get_app_configs()}
    if names.context in labels:
        raise CommandError(f"{names.context!r} is the label of an installed Django app.")
    route_names = {key for key in get_resolver().reverse_dict if isinstance(key, str)}
    for route_name in (values["context_slug"], values["entity_slug"]):
        if route_name in route_names:
            raise CommandError(f"A route named {route_name!r} exists already.")
    collection = f"/api/v1/orgs/1/{values['context_slug']}"
    for path in (collection, f"{collection}/1"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.url_name is not None:  # anything but the API's catch-all 404
            raise CommandError(f"{path} is served by {match.url_name!r} already.")
    policies = (root / ROUTE_POLICIES).read_text()
    if f'"{names.entity}_id"' in policies:
        raise CommandError(f"The path parameter {names.entity}_id is in use already.")
    entity_class = values["Entity"]
    pattern = re.compile(rf"^class {entity_class}(ListView|DetailView|Output|Input)\b", re.M)
    for module in (root / "adapters").rglob("*.py"):
        if pattern.search(module.read_text()):
            raise CommandError(
                f"{module.relative_to(root)} defines a {entity_class}... class already: the "
                "OpenAPI components and operation ids would clash. Choose another --entity."
            )
        if module.name == "models.py" and f'"{values["list_index"]}"' in module.read_text():
            raise CommandError(f"The index name {values['list_index']} is in use already.")


def package_dirs(root: Path, context: str) -> list[Path]:
    return [
        root / "contexts" / context,
        root / "adapters" / context,
        *(root / "tests" / level / context for level in ("unit", "integration", "api")),
    ]


# --- rendering ------------------------------------------------------------------------------------


def render(text: str, values: Mapping[str, str], source: Path) -> str:
    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise CommandError(f"{source}: unknown placeholder {match.group(0)}.")
        return values[key]

    return PLACEHOLDER.sub(substitute, text)


def render_templates(root: Path, names: Names) -> dict[Path, str]:
    """Target path → content, for every template."""
    rendered: dict[Path, str] = {}
    for template in sorted(TEMPLATE_DIR.rglob(f"*{TEMPLATE_SUFFIX}")):
        relative = str(template.relative_to(TEMPLATE_DIR)).replace(PATH_PLACEHOLDER, names.context)
        target = root / (relative.removesuffix(TEMPLATE_SUFFIX) + ".py")
        rendered[target] = render(template.read_text(), names.placeholders, template)
    return rendered


# --- registering ----------------------------------------------------------------------------------


class RegistrationError(CommandError):
    pass


def _marker_index(lines: list[str], path: str, marker: str) -> int:
    found = [i for i, line in enumerate(lines) if line.strip().startswith(MARKER_PREFIX + marker)]
    if len(found) != 1:
        problem = "is missing" if not found else "appears more than once"
        raise RegistrationError(
            f"{path}: the marker comment '{MARKER_PREFIX}{marker}' {problem}. Restore it (one "
            "line, where new contexts are listed; see docs/adding-a-context.md), or register "
            "the context by hand."
        )
    return found[0]


def _refuse_duplicate(text: str, line: str, path: str) -> None:
    if line.strip() and line.strip() in {existing.strip() for existing in text.splitlines()}:
        raise RegistrationError(f"{path} already contains {line.strip()!r}: already registered?")


@dataclass(frozen=True)
class Insert:
    """Put ``lines`` just above the marker, at the marker's indentation."""

    path: str
    marker: str
    lines: tuple[str, ...]

    def apply(self, text: str) -> str:
        _refuse_duplicate(text, self.lines[0], self.path)  # the first line names the context
        lines = text.splitlines(keepends=True)
        at = _marker_index(lines, self.path, self.marker)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        new = [f"{indent}{line}\n" if line else "\n" for line in self.lines]
        return "".join(lines[:at] + new + lines[at:])

    def describe(self) -> str:
        return f"{len(self.lines)} line(s) above '{MARKER_PREFIX}{self.marker}'"


@dataclass(frozen=True)
class AppendToLayer:
    """Append `` | <module>`` to the first layer listed below the marker (import-linter)."""

    path: str
    marker: str
    module: str

    def apply(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        at = _marker_index(lines, self.path, self.marker)
        layer = next(
            (i for i in range(at + 1, len(lines)) if lines[i][:1].isspace() and lines[i].strip()),
            None,
        )
        if layer is None:
            raise RegistrationError(f"{self.path}: no layer listed below '{self.marker}'.")
        modules = [name.strip() for name in lines[layer].split("|")]
        if self.module in modules:
            raise RegistrationError(f"{self.path}: {self.module} is in the layer already.")
        lines[layer] = lines[layer].rstrip("\n") + f" | {self.module}\n"
        return "".join(lines)

    def describe(self) -> str:
        return f"' | {self.module}' after the layer below '{MARKER_PREFIX}{self.marker}'"


@dataclass(frozen=True)
class SortedImports:
    """Sort one-line ``from ... import ...`` statements into the first-party import block (the
    block holding ``from adapters...``), in the order ruff's isort keeps."""

    path: str
    lines: tuple[str, ...]

    def apply(self, text: str) -> str:
        lines = text.splitlines(keepends=True)
        start = next((i for i, line in enumerate(lines) if line.startswith("from adapters.")), None)
        if start is None:
            raise RegistrationError(f"{self.path}: no first-party import block (from adapters...).")
        for line in self.lines:
            _refuse_duplicate(text, line, self.path)
            statements = _import_statements(lines, start)
            position = next(
                (first for first, key in statements if key > _import_key(line)),
                statements[-1][0] + _statement_length(lines, statements[-1][0]),
            )
            lines.insert(position, line + "\n")
        return "".join(lines)

    def describe(self) -> str:
        return f"{len(self.lines)} import(s) sorted into the first-party block"


def _import_key(statement: str) -> tuple[list[Any], list[Any]]:
    """Natural, case-insensitive order of the module, then of what is imported."""
    module, _, imported = statement.removeprefix("from ").partition(" import ")
    return _natural(module), _natural(imported)


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def _statement_length(lines: list[str], first: int) -> int:
    if "(" not in lines[first] or ")" in lines[first]:
        return 1
    end = next(i for i in range(first, len(lines)) if ")" in lines[i])
    return end - first + 1


def _import_statements(lines: list[str], start: int) -> list[tuple[int, tuple[Any, ...]]]:
    """(first line, sort key) of each statement of the import block around ``start``."""
    while start > 0 and lines[start - 1].startswith("from "):
        start -= 1
    statements: list[tuple[int, tuple[Any, ...]]] = []
    index = start
    while index < len(lines) and lines[index].startswith("from "):
        statements.append((index, _import_key(lines[index].strip())))
        index += _statement_length(lines, index)
    return statements


Edit = Insert | AppendToLayer | SortedImports


def registrations(names: Names) -> list[Edit]:
    """Where a new context is listed, and the lines that list it."""
    v = names.placeholders
    c, e, context_class, entity_class = v["context"], v["entity"], v["Context"], v["Entity"]
    return [
        Insert("src/settings/base.py", "installed apps", (f'"adapters.{c}",',)),
        Insert("src/urls.py", "urls", (f'path("", include("adapters.{c}.urls")),',)),
        SortedImports(
            "src/container.py",
            (
                f"from adapters.{c} import views as {c}_views",
                f"from adapters.{c}.container import {context_class}Container",
            ),
        ),
        Insert(
            "src/container.py",
            "containers",
            (f"{c} = providers.Container({context_class}Container)",),
        ),
        Insert("src/container.py", "views to wire", (f"(container.{c}.container, [{c}_views]),",)),
        AppendToLayer("importlinter.ini", "adapters layer", f"adapters.{c}"),
        Insert(
            "importlinter.ini",
            "adapter scope contracts",
            (
                f"[importlinter:contract:{c}-adapter-scope]",
                f"name = adapters.{c} touches only the {c} context",
                "type = forbidden",
                "source_modules =",
                f"    adapters.{c}",
                "forbidden_modules =",
                "    contexts.*",
                "ignore_imports =",
                f"    adapters.{c}.** -> contexts.{c}.**",
                "unmatched_ignore_imports_alerting = none",
                "",
            ),
        ),
        Insert(
            ROUTE_POLICIES,
            "routes",
            (
                f'"{v["context_slug"]}": {{',
                '    "GET": (Role.MEMBER, None),',
                '    "POST": (Role.ADMIN, {"name": "Created by the matrix"}),',
                "},",
                f'"{v["entity_slug"]}": {{',
                '    "GET": (Role.MEMBER, None),',
                '    "PATCH": (Role.ADMIN, {"name": "Renamed by the matrix"}),',
                '    "DELETE": (Role.ADMIN, None),',
                "},",
            ),
        ),
        Insert(
            ROUTE_POLICIES,
            "object factories",
            (
                f"def {e}_objects(world: WorldSetup) -> tuple[int, int]:",
                f"    from adapters.{c}.models import {entity_class}",
                "",
                f'    own = {entity_class}.objects.create(organization_id=world.org, name="Own")',
                f"    foreign = {entity_class}.objects.create(organization_id=world.foreign_org,"
                ' name="Foreign")',
                "    return own.pk, foreign.pk",
                "",
                "",
            ),
        ),
        Insert(ROUTE_POLICIES, "object parameters", (f'"{e}_id": {e}_objects,',)),
    ]


def plan_registrations(root: Path, names: Names) -> dict[Path, str]:
    """Registry file → its new content, with every edit applied (nothing written)."""
    changed: dict[Path, str] = {}
    for edit in registrations(names):
        path = root / edit.path
        if path not in changed:
            if not path.exists():
                raise RegistrationError(f"{edit.path} is missing.")
            changed[path] = path.read_text()
        changed[path] = edit.apply(changed[path])
    return changed


# --- writing --------------------------------------------------------------------------------------


def write_all(created: Mapping[Path, str], changed: Mapping[Path, str]) -> None:
    """Write everything, or (on any error) nothing: created files are removed and changed ones
    restored."""
    originals = {path: path.read_text() for path in changed}
    new_dirs: list[Path] = []
    try:
        for path, content in created.items():
            missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
            new_dirs += missing
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        for path, content in changed.items():
            path.write_text(content)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        for directory in sorted(set(new_dirs), key=lambda p: len(p.parts), reverse=True):
            shutil.rmtree(directory, ignore_errors=True)
        for path, content in originals.items():
            path.write_text(content)
        raise


def find_ruff() -> str | None:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which("ruff", path=search)


def format_with_ruff(root: Path, paths: Iterable[Path], say: Callable[[str], None]) -> None:
    """The templates are formatted for typical names; ruff settles longer ones (line length,
    import order that depends on the name). Migrations keep their hand-written layout."""
    ruff = find_ruff()
    if ruff is None:
        say("ruff not found: generated files were not formatted (run `ruff format`).")
        return
    files = [str(path.relative_to(root)) for path in paths]
    for command in (
        [ruff, "check", "--quiet", "--fix", "--select", "I", "--force-exclude", *files],
        [ruff, "format", "--quiet", "--force-exclude", *files],
    ):
        result = subprocess.run(  # noqa: S603  (ruff, from the project's environment)
            command, cwd=root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            say(f"`{' '.join(command[1:3])}` failed:\n{result.stdout}{result.stderr}")


# --- the command ----------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Create a tenant-scoped bounded context (domain, services, API, Django app, migration, "
        "admin, tests) and register it; the whole test command passes right after. See "
        "docs/adding-a-context.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The context's name, plural: e.g. projects.")
        parser.add_argument(
            "--entity",
            help="The entity's name, singular (default: the name without its final s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be written; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        names = make_names(options["name"], options["entity"])
        check_not_taken(root, names)
        created = render_templates(root, names)
        changed = plan_registrations(root, names)

        if options["dry_run"]:
            self.stdout.write("Would create:")
            for path in created:
                self.stdout.write(f"  {path.relative_to(root)}")
            self.stdout.write("Would change:")
            for edit in registrations(names):
                self.stdout.write(f"  {edit.path}: {edit.describe()}")
            return

        write_all(created, changed)
        python_files = [*created, *(path for path in changed if path.suffix == ".py")]
        format_with_ruff(root, python_files, self.stderr.write)
        self._report(root, names, created, changed)

    def _report(
        self, root: Path, names: Names, created: Mapping[Path, str], changed: Mapping[Path, str]
    ) -> None:
        self.stdout.write(self.style.SUCCESS(f"Created the {names.context} context:"))
        for path in created:
            self.stdout.write(f"  {path.relative_to(root)}")
        self.stdout.write("Registered it in:")
        for path in changed:
            self.stdout.write(f"  {path.relative_to(root)}")
        self.stdout.write(
            "Next: `python manage.py migrate`, then `make check`. What to edit next: "
            "docs/adding-a-context.md."
        )
