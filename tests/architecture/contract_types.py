"""A custom import-linter contract type: every adapter touches only its own context.

``importlinter.ini`` registers it as ``context_scope``. It states, for every context at once,
what would otherwise take one contract per context (and an edit of importlinter.ini for each new
one): ``adapters.X`` imports no context but ``contexts.X`` and no other context's adapter; the
shared adapter packages (``shared``, e.g. ``adapters.platform``) import no context and no
context's adapter. "X" is matched by name: ``adapters.billing`` belongs to ``contexts.billing``.

Only direct imports are examined: with every package held to its own scope, an indirect chain
out of scope has a direct out-of-scope import somewhere along it, and that is the one reported.
"""

from __future__ import annotations

from typing import Any, cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.imports import Module


class ContextScopeContract(Contract):
    """Options: ``contexts`` (the package of the pure contexts), ``adapters`` (the package of
    their Django adapters), ``shared`` (adapter packages that belong to no context)."""

    type_name = "context_scope"

    contexts = fields.ModuleField()
    adapters = fields.ModuleField()
    shared = fields.ListField(subfield=fields.ModuleField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # On an instance the fields hold their parsed values (Contract._populate_fields).
        contexts_package = cast(Module, self.contexts).name
        adapters_package = cast(Module, self.adapters).name
        shared = {module.name for module in cast(list[Module], self.shared or [])}
        violations: list[dict[str, Any]] = []
        for adapter in sorted(graph.find_children(adapters_package)):
            owner = None if adapter in shared else adapter.rpartition(".")[2]
            for importer in sorted({adapter, *graph.find_descendants(adapter)}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    reason = _out_of_scope(
                        imported, owner, contexts_package, adapters_package, shared
                    )
                    if reason:
                        details = graph.get_import_details(importer=importer, imported=imported)
                        violations.append(
                            {
                                "importer": importer,
                                "imported": imported,
                                "reason": reason,
                                "lines": [detail["line_number"] for detail in details],
                            }
                        )
        output.verbose_print(verbose, f"{len(violations)} out-of-scope imports.")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            lines = ", ".join(f"l.{line}" for line in violation["lines"])
            output.print_error(
                f"{violation['importer']} -> {violation['imported']} ({lines}): "
                f"{violation['reason']}",
                bold=False,
            )
            output.new_line()


def _top(module: str, package: str) -> str | None:
    """The child of ``package`` that ``module`` is in (``contexts.billing`` for
    ``contexts.billing.domain.model``), or None if it is outside ``package``."""
    if not module.startswith(f"{package}."):
        return None
    return ".".join(module.split(".")[:2])


def _out_of_scope(
    imported: str, owner: str | None, contexts: str, adapters: str, shared: set[str]
) -> str | None:
    """Why importing ``imported`` is out of scope for the adapter of context ``owner`` (None:
    a shared adapter package), or None if it is allowed."""
    context = _top(imported, contexts)
    if context is not None and context != f"{contexts}.{owner}":
        if owner is None:
            return "shared adapter code depends on no context (declare a port instead)"
        return (
            f"the {owner} adapter touches only its own context, {contexts}.{owner} (reach "
            "another context through a port that the composition root wires to its api.py)"
        )
    adapter = _top(imported, adapters)
    if adapter is not None and adapter not in shared and adapter != f"{adapters}.{owner}":
        if owner is None:
            return "shared adapter code depends on no context's adapter"
        return f"context adapters never import each other (only {', '.join(sorted(shared))})"
    return None
