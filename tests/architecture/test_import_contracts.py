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

# contract id → (file to create or append to, the violating line). The "<ctx>-adapter-scope"
# contracts, one per context adapter, get theirs from adapter_scope_violation() below.
VIOLATIONS: dict[str, tuple[str, str]] = {
    "layers": ("contexts/identity/domain/model.py", "import adapters.platform.rest.problems"),
    "contexts-framework-free": ("contexts/identity/domain/model.py", "import django"),
    "context-layers": (
        "contexts/identity/domain/errors.py",
        "import contexts.identity.application.services",
    ),
    "contexts-independent": ("contexts/intruder/__init__.py", "import contexts.identity.api"),
    "adapters-independent": (
        "adapters/platform/http/request_context.py",
        "import adapters.identity.models",
    ),
    "platform-knows-no-context": (
        "adapters/platform/rest/rendering.py",
        "import contexts.identity.domain.model",
    ),
    "views-no-models": ("adapters/identity/views.py", "from adapters.identity import models"),
}


ADAPTER_SCOPE_SUFFIX = "-adapter-scope"
ADAPTERS_LAYERS_CONTRACT = "adapters-independent"
SHARED_ADAPTERS = ("platform",)  # adapter packages that belong to no context


def context_adapters() -> list[str]:
    """The context adapter packages: adapters/<ctx>/, platform glue excluded."""
    return sorted(
        path.parent.name
        for path in (ROOT / "adapters").glob("*/__init__.py")
        if path.parent.name not in SHARED_ADAPTERS
    )


def adapter_scope_violation(context: str) -> tuple[str, str]:
    """The adapter of ``context`` imports another (real) context's api."""
    others = sorted(p.parent.name for p in (ROOT / "contexts").glob("*/api.py"))
    other = next(name for name in others if name != context)
    return f"adapters/{context}/urls.py", f"import contexts.{other}.api"


def planted_violations() -> dict[str, tuple[str, str]]:
    """VIOLATIONS, plus one for each adapter-scope contract of importlinter.ini."""
    derived = {
        contract_id: adapter_scope_violation(contract_id.removesuffix(ADAPTER_SCOPE_SUFFIX))
        for contract_id in contract_names()
        if contract_id.endswith(ADAPTER_SCOPE_SUFFIX)
    }
    return {**derived, **VIOLATIONS}


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
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_contract_has_a_planted_violation() -> None:
    assert set(planted_violations()) == set(contract_names()), (
        "Add a violation for each new contract to VIOLATIONS, so that it is shown to fail."
    )


def test_every_context_adapter_is_scoped_and_independent() -> None:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    prefix = "importlinter:contract:"
    scoped = {
        contract_id.removesuffix(ADAPTER_SCOPE_SUFFIX)
        for contract_id in contract_names()
        if contract_id.endswith(ADAPTER_SCOPE_SUFFIX)
    }
    layers = parser[prefix + ADAPTERS_LAYERS_CONTRACT]["layers"].strip().splitlines()
    top_layer = [name.strip() for name in layers[0].split("|")]
    adapters = context_adapters()

    assert scoped == set(adapters), (
        "Each adapters/<ctx> package needs an [importlinter:contract:<ctx>-adapter-scope] "
        f"contract, and each such contract its package: contracts for {sorted(scoped)}, "
        f"packages {adapters}."
    )
    assert sorted(top_layer) == [f"adapters.{name}" for name in adapters], (
        f"The first layer of the {ADAPTERS_LAYERS_CONTRACT} contract must list every context "
        f"adapter as an independent sibling: it lists {top_layer}."
    )


def test_each_contract_breaks_on_its_violation(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(CONFIG, tmp_path / "importlinter.ini")
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


@pytest.mark.parametrize("violation", ["import django", "from rest_framework import views"])
def test_a_framework_import_in_a_domain_fails_the_lint(tmp_path: Path, violation: str) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(CONFIG, tmp_path / "importlinter.ini")
    (tmp_path / "contexts/identity/domain/model.py").open("a").write(f"\n{violation}\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "Contexts and the shared kernel are pure Python" in " ".join(result.stdout.split())


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
