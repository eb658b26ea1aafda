"""The tests that prove each endpoint's denials, found by reading the tests (never running them).

Two sources, both read as source code (``ast``), so that a missing proof shows in the summary:

- the route security matrix (tests/api/test_route_security_matrix.py): each of its test
  functions is parametrized over one of its route lists (``PROTECTED``, ``SCOPED``,
  ``OBJECT_ROUTES``), and a route takes part only if a policy table
  (``tests/api/**/route_policies.py``, ``ROUTES``) declares its method: case
  ``test_x[POST invoice-pay]``;
- every other test module under tests/api and tests/integration: a test function proves a
  denial of an endpoint when it sends that endpoint a request (``client.post(url)``, directly
  or through a helper it imports or defines) and compares a response with a 4xx status. The
  URL is recognized from the strings it is built from (``f"/invoices/{invoice.pk}/pay"``).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import attrs

MATRIX_FILE = "tests/api/test_route_security_matrix.py"
POLICY_FILE_NAME = "route_policies.py"
SEARCHED = ("tests/api", "tests/integration")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC_POLICY = "PUBLIC"
# The matrix's route lists, and which endpoints each holds (its own definitions say the same).
PROTECTED, SCOPED, OBJECT_ROUTES = "PROTECTED", "SCOPED", "OBJECT_ROUTES"
_TEMPLATE = re.compile(r"\{[^{}]*\}")
_STATUS_NAME = re.compile(r"HTTP_(4\d\d)_")


@attrs.frozen
class Proof:
    """A test that proves a denial of an endpoint."""

    test: str  # "tests/api/billing/test_payments.py::test_x", with a matrix case's id
    statuses: tuple[int, ...]
    kind: str  # "route security matrix", "bad input", "race", "denial"

    def as_json(self) -> dict[str, object]:
        return {"test": self.test, "kind": self.kind, "statuses": list(self.statuses)}


@attrs.frozen
class EndpointFacts:
    """What deciding whether a test targets an endpoint needs to know of it."""

    method: str
    path: str  # the OpenAPI path, /api/v1/orgs/{org_id}
    route: str
    public: bool
    organization_scoped: bool


def find_proofs(
    base_dir: Path | str, endpoints: list[EndpointFacts]
) -> dict[tuple[str, str], list[Proof]]:
    """(method, path) → the tests proving that endpoint's denials, matrix cases first."""
    root = Path(base_dir)
    found: dict[tuple[str, str], list[Proof]] = {(e.method, e.path): [] for e in endpoints}
    tables = _policy_tables(root)
    for endpoint in endpoints:
        found[(endpoint.method, endpoint.path)] += _matrix_cases(root, endpoint, tables)
    for module in _test_modules(root):
        for test, statuses, requests in _module_tests(root, module):
            for method, fragments in requests:
                for endpoint in _targets(endpoints, method, fragments):
                    key = (endpoint.method, endpoint.path)
                    proof = Proof(test, statuses, _kind(module))
                    if proof not in found[key]:
                        found[key].append(proof)
    return found


def _kind(module: Path) -> str:
    if "bad_input" in module.name:
        return "bad input"
    if "concurren" in module.name or "race" in module.name:
        return "race"
    return "denial"


# --- the matrix --------------------------------------------------------------------------------


@attrs.frozen
class _Tables:
    routes: Mapping[str, frozenset[str] | None]  # route → declared methods (None: PUBLIC)
    object_parameters: frozenset[str]


def _policy_tables(root: Path) -> _Tables:
    routes: dict[str, frozenset[str] | None] = {}
    objects: set[str] = set()
    for path in sorted((root / "tests").rglob(POLICY_FILE_NAME)):
        for name, value in _module_assignments(_parse(path)).items():
            if name == "ROUTES" and isinstance(value, ast.Dict):
                for key, policy in zip(value.keys, value.values, strict=True):
                    if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                        continue
                    if isinstance(policy, ast.Dict):
                        routes[key.value] = frozenset(
                            k.value
                            for k in policy.keys
                            if isinstance(k, ast.Constant) and isinstance(k.value, str)
                        )
                    elif isinstance(policy, ast.Name) and policy.id == PUBLIC_POLICY:
                        routes[key.value] = None
            elif name == "OBJECT_PARAMETERS" and isinstance(value, ast.Dict):
                objects |= {
                    k.value
                    for k in value.keys
                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                }
    return _Tables(routes, frozenset(objects))


def _in_list(list_name: str, endpoint: EndpointFacts, tables: _Tables) -> bool:
    declared = tables.routes.get(endpoint.route, frozenset())
    if declared is None or endpoint.method not in declared:
        return False  # public, or not in any policy table: the matrix has no such case
    if list_name == PROTECTED:
        return True
    if list_name == SCOPED:
        return endpoint.organization_scoped
    if list_name == OBJECT_ROUTES:
        return bool(set(re.findall(r"\{(\w+)\}", endpoint.path)) & tables.object_parameters)
    return False


def _matrix_cases(root: Path, endpoint: EndpointFacts, tables: _Tables) -> list[Proof]:
    path = root / MATRIX_FILE
    if not path.exists():
        return []
    proofs: list[Proof] = []
    for function in _parse(path).body:
        if not isinstance(function, ast.FunctionDef) or not function.name.startswith("test_"):
            continue
        list_name = _parametrized_over(function)
        if list_name is not None and _in_list(list_name, endpoint, tables):
            case = f"{MATRIX_FILE}::{function.name}[{endpoint.method} {endpoint.route}]"
            proofs.append(Proof(case, _statuses(function), "route security matrix"))
    return proofs


def _parametrized_over(function: ast.FunctionDef) -> str | None:
    """``@pytest.mark.parametrize("case", _cases(SCOPED), ...)`` → "SCOPED"."""
    for decorator in function.decorator_list:
        if not (isinstance(decorator, ast.Call) and len(decorator.args) >= 2):
            continue
        cases = decorator.args[1]
        if (
            isinstance(cases, ast.Call)
            and cases.args
            and isinstance(cases.args[0], ast.Name)
            and _dotted(decorator.func).endswith("parametrize")
        ):
            return cases.args[0].id
    return None


# --- other tests -------------------------------------------------------------------------------

Request = tuple[str, tuple[str, ...]]  # (HTTP method, the URL's string fragments)


def _test_modules(root: Path) -> Iterator[Path]:
    for folder in SEARCHED:
        for path in sorted((root / folder).rglob("test_*.py")):
            if path.relative_to(root).as_posix() != MATRIX_FILE:
                yield path


def _module_tests(root: Path, module: Path) -> Iterator[tuple[str, tuple[int, ...], list[Request]]]:
    tree = _parse(module)
    helpers = _helpers(root, tree)
    relative = module.relative_to(root).as_posix()
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or not function.name.startswith("test_"):
            continue
        statuses = _statuses_through_helpers(function, helpers, depth=0)
        if not statuses:
            continue  # no 4xx compared: not a proof of a denial
        requests = _requests(function, helpers, depth=0, module=_module_assignments(tree))
        if requests:
            yield f"{relative}::{function.name}", statuses, requests


def _helpers(root: Path, tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """The functions a test module may call by name: its own and those it imports from
    first-party test modules."""
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            source = root / (str(node.module).replace(".", "/") + ".py")
            if not source.exists():
                continue
            imported = {n.name: n for n in _parse(source).body if isinstance(n, ast.FunctionDef)}
            for alias in node.names:
                if alias.name in imported:
                    functions.setdefault(alias.asname or alias.name, imported[alias.name])
    return functions


def _requests(
    function: ast.FunctionDef,
    helpers: Mapping[str, ast.FunctionDef],
    depth: int,
    module: Mapping[str, ast.expr],
) -> list[Request]:
    """The requests ``function`` sends, with the strings their URLs are built from (names
    assigned in the function, or else at the top of its module: ``VERIFY = "/api/v1/..."``)."""
    if depth > 3:
        return []
    assigned: dict[str, ast.expr] = dict(module)
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = node.value
    parametrized = [d for d in function.decorator_list if isinstance(d, ast.Call)]
    requests: list[Request] = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in HTTP_METHODS and node.args:
            url = node.args[0]
            fragments = _fragments(url, assigned)
            if not fragments and isinstance(url, ast.Name):
                fragments = [f for d in parametrized for f in _fragments(d, assigned)]
            if fragments:
                requests.append((func.attr.upper(), tuple(fragments)))
        elif isinstance(func, ast.Name) and func.id in helpers and helpers[func.id] is not function:
            requests += _requests(helpers[func.id], helpers, depth + 1, module)
    return requests


def _fragments(node: ast.AST, assigned: Mapping[str, ast.expr], depth: int = 0) -> list[str]:
    """The URL-looking strings in ``node`` (f-strings with each value as ``{}``), following
    names assigned in the same function."""
    found: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.JoinedStr):
            text = "".join(
                str(part.value) if isinstance(part, ast.Constant) else "{}" for part in child.values
            )
            found.append(text)
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            found.append(child.value)
        elif isinstance(child, ast.Name) and child.id in assigned and depth < 3:
            found += _fragments(assigned[child.id], assigned, depth + 1)
    return [text for text in found if text.startswith("/") and len(text) > 1]


def _targets(
    endpoints: list[EndpointFacts], method: str, fragments: tuple[str, ...]
) -> list[EndpointFacts]:
    """The endpoints the most specific fragment names: the path ends with it."""
    best: list[EndpointFacts] = []
    best_length = 0
    for fragment in fragments:
        wanted = _TEMPLATE.sub("{}", fragment.split("?")[0])
        matches = [
            endpoint
            for endpoint in endpoints
            if endpoint.method == method and _TEMPLATE.sub("{}", endpoint.path).endswith(wanted)
        ]
        if matches and len(wanted) > best_length:
            best, best_length = matches, len(wanted)
    return best


# --- shared ------------------------------------------------------------------------------------


def _statuses(function: ast.FunctionDef) -> tuple[int, ...]:
    """The 4xx statuses a test expects: numbers it compares or passes, not those it excludes
    (`not in`) or uses as a bound (`< 400`)."""
    excluded: set[int] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, (ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops
        ):
            excluded |= {id(child) for child in ast.walk(node)}
    statuses: set[int] = set()
    for node in ast.walk(function):
        if id(node) in excluded:
            continue
        if isinstance(node, ast.Constant) and type(node.value) is int and 400 <= node.value < 500:
            statuses.add(node.value)
        elif isinstance(node, ast.Attribute) and (match := _STATUS_NAME.match(node.attr)):
            statuses.add(int(match.group(1)))
    return tuple(sorted(statuses))


def _statuses_through_helpers(
    function: ast.FunctionDef, helpers: Mapping[str, ast.FunctionDef], depth: int
) -> tuple[int, ...]:
    """The 4xx statuses a test expects, also where a helper it calls does the comparing (a
    race's helper counting the 409s)."""
    statuses = set(_statuses(function))
    if depth < 3:
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in helpers
                and helpers[node.func.id] is not function
            ):
                statuses |= set(
                    _statuses_through_helpers(helpers[node.func.id], helpers, depth + 1)
                )
    return tuple(sorted(statuses))


def _module_assignments(tree: ast.Module) -> dict[str, ast.expr]:
    assignments: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assignments[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            assignments[node.target.id] = node.value
    return assignments


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


@functools.lru_cache(maxsize=256)
def _parse_cached(path: str, mtime: float) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)


def _parse(path: Path) -> ast.Module:
    return _parse_cached(str(path), path.stat().st_mtime)
