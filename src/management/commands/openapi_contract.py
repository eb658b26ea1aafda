"""The API contract gate (``make contract``) and its release step (``make openapi-release``).

The gate generates the schema as ``make openapi`` does, fails if ``docs/openapi.yaml`` is not
that schema, and fails if the schema breaks a client of the released contract
(``docs/openapi-released.yaml``) in a way CHANGELOG.md does not record
(adapters/platform/rest/contract.py has the rules; docs/api.md, "Contract governance", the
workflow). ``--release`` then makes ``docs/openapi.yaml`` the released contract.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.platform.rest.contract import (
    CHANGELOG_FILE,
    RELEASED_FILE,
    SCHEMA_FILE,
    assess,
    load,
    staleness,
)


def generated_schema() -> str:
    """The schema as ``make openapi`` writes it: ``spectacular --validate --fail-on-warn``."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "openapi.yaml"
        call_command("spectacular", validate=True, fail_on_warn=True, file=str(target))
        return target.read_text(encoding="utf-8")


class Command(BaseCommand):
    help = (
        f"Fail if {SCHEMA_FILE} is not the generated schema, or if it breaks clients of the "
        f"released contract ({RELEASED_FILE}) in ways {CHANGELOG_FILE} does not record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--release",
            action="store_true",
            help=f"When the gate passes, make {SCHEMA_FILE} the released contract.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        committed_file = root / SCHEMA_FILE
        committed = committed_file.read_text(encoding="utf-8") if committed_file.exists() else None
        generated = generated_schema()
        assessment = assess(
            load(root / RELEASED_FILE),
            yaml.safe_load(generated),
            (root / CHANGELOG_FILE).read_text(encoding="utf-8"),
        )
        stale = staleness(committed, generated)
        if stale is not None or not assessment.ok:
            raise CommandError("\n".join(filter(None, [stale, assessment.report()])))
        if not options["release"]:
            self.stdout.write(assessment.report())
            return
        released = root / RELEASED_FILE
        if released.read_text(encoding="utf-8") == generated:
            self.stdout.write(
                f"{RELEASED_FILE} is already the contract of API {assessment.current}."
            )
            return
        released.write_text(generated, encoding="utf-8")
        self.stdout.write(
            f"{RELEASED_FILE} is now the contract of API {assessment.current}: commit it."
        )
