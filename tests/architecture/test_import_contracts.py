"""The import-linter contracts hold, and each of them can actually fail.

A contract that nothing can break protects nothing: this test copies the first-party packages
into a temporary directory, plants one violating import per contract, and checks that
lint-imports reports every contract broken there, while the real tree keeps them all.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "importlinter.ini"
PACKAGES = ("src", "contexts", "adapters", "kernel")

# contract id → (file to create or append to, the violating line). The adapter-scope contract,
# which holds for every context at once, is planted once per context by scope_violations().
VIOLATIONS: dict[str, tuple[str, str]] = {
    "layers": ("contexts/identity/domain/model.py", "import adapters.platform.rest.problems"),
    "contexts-framework-free": ("contexts/identity/domain/model.py", "import django"),
    "context-layers": (
        "contexts/identity/domain/errors.py",
        "import contexts.identity.application.services",
    ),
    "contexts-independent": ("contexts/intruder/__init__.py", "import contexts.identity.api"),
    "views-no-models": ("adapters/identity/views.py", "from adapters.identity import models"),
}
SCOPE_CONTRACT = "adapter-scope"
SHARED_ADAPTERS = ("platform",)  # adapter packages that belong to no context
SHARED_PLANT = "adapters/platform/http/request_context.py"


def context_adapters() -> list[str]:
    """The context adapter packages: adapters/<ctx>/, the shared ones excluded."""
    return sorted(
        path.parent.name
        for path in (ROOT / "adapters").glob("*/__init__.py")
        if path.parent.name not in SHARED_ADAPTERS
    )


def scope_violations() -> list[tuple[str, str, str]]:
    """(file, importer module, imported module) for every way out of scope: each context's
    adapter importing another context and another context's adapter; the shared adapter code
    importing a context and a context's adapter."""
    adapters = context_adapters()
    planted = []
    for context in adapters:
        other = next(name for name in adapters if name != context)
        importer = f"adapters.{context}.urls"
        planted.append((f"adapters/{context}/urls.py", importer, f"contexts.{other}.api"))
        planted.append((f"adapters/{context}/urls.py", importer, f"adapters.{other}.models"))
    shared_importer = SHARED_PLANT.removesuffix(".py").replace("/", ".")
    planted.append((SHARED_PLANT, shared_importer, f"contexts.{adapters[0]}.domain.model"))
    planted.append((SHARED_PLANT, shared_importer, f"adapters.{adapters[0]}.models"))
    return planted


def planted_violations() -> dict[str, tuple[str, str]]:
    """Every contract id, with one violating line (the adapter-scope contract's first)."""
    relative, _, imported = scope_violations()[0]
    return {**VIOLATIONS, SCOPE_CONTRACT: (relative, f"import {imported}")}


def contract_names() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    prefix = "importlinter:contract:"
    return {
        section.removeprefix(prefix): parser[section]["name"]
        for section in parser.sections()
        if section.startswith(prefix)
    }


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(  # noqa: S603  (fixed arguments)
        [str(lint), "--no-cache", str(root / "importlinter.ini")],
        cwd=root,
        # The copy's packages first; the custom contract type comes from this tree's tests.
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_contract_has_a_planted_violation() -> None:
    assert set(planted_violations()) == set(contract_names()), (
        "Add a violation for each new contract to VIOLATIONS, so that it is shown to fail."
    )


def test_the_scope_contract_knows_every_shared_adapter_package() -> None:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    shared = parser[f"importlinter:contract:{SCOPE_CONTRACT}"]["shared"].split()
    contexts = {path.parent.name for path in (ROOT / "contexts").glob("*/__init__.py")}

    assert shared == [f"adapters.{name}" for name in SHARED_ADAPTERS]
    # Every other adapter package is some context's: the contract pairs them by name.
    assert set(context_adapters()) <= contexts, (
        "Each adapters/<name> package is either a context's adapter (contexts/<name> exists) "
        f"or shared (listed in the {SCOPE_CONTRACT} contract's `shared`)."
    )


def _copy_tree(target: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(CONFIG, target / "importlinter.ini")


def test_each_contract_breaks_on_its_violation(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    # A second, well-shaped context to import across.
    for module in ("domain/__init__.py", "application/__init__.py", "api.py"):
        (tmp_path / "contexts/intruder" / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "contexts/intruder" / module).touch()
    for relative, line in planted_violations().values():
        target = tmp_path / relative
        with target.open("a") as handle:
            handle.write(f"\n{line}  # planted by {__name__}\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    report = " ".join(result.stdout.split())  # lint-imports wraps long names
    for contract_id, name in contract_names().items():
        assert f"{name} BROKEN" in report, f"{contract_id} was not broken:\n{result.stdout}"


def test_the_scope_contract_breaks_for_every_context(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    planted = scope_violations()
    for relative, _, imported in planted:
        with (tmp_path / relative).open("a") as handle:
            handle.write(f"\nimport {imported}  # planted by {__name__}\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    report = " ".join(result.stdout.split())
    for _, importer, imported in planted:
        assert f"{importer} -> {imported} (" in report, (importer, imported, result.stdout)


@pytest.mark.parametrize("violation", ["import django", "from rest_framework import views"])
def test_a_framework_import_in_a_domain_fails_the_lint(tmp_path: Path, violation: str) -> None:
    _copy_tree(tmp_path)
    (tmp_path / "contexts/identity/domain/model.py").open("a").write(f"\n{violation}\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "Contexts and the shared kernel are pure Python" in " ".join(result.stdout.split())


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
