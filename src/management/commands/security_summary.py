"""``manage.py security_summary``: every endpoint's permissions, exposure and scoping, derived
from the code (adapters/platform/security_summary), and the gate on its widening.

- ``security_summary`` prints the summary as Markdown (``--format json``: as JSON);
  ``--endpoint "POST /api/v1/orgs/{org_id}/invoices/{invoice_id}/pay"`` prints one endpoint;
- ``--write`` writes docs/security-summary.md (committed; a test fails when it is stale);
- ``--check-widening`` fails if docs/security-summary.md is stale, or if the summary widens
  exposure against docs/security-summary-released.json in a way CHANGELOG.md does not record;
  with ``--release`` it then makes the current summary the released one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.platform.rest.contract import CHANGELOG_FILE
from adapters.platform.security_summary.derive import summarize
from adapters.platform.security_summary.render import (
    RELEASED_FILE,
    SUMMARY_FILE,
    as_json,
    as_markdown,
    endpoint_markdown,
    staleness,
)
from adapters.platform.security_summary.widening import RELEASE, assess


class Command(BaseCommand):
    help = (
        "Print every endpoint's security summary (permissions, fields exposed, edge cases, "
        f"query scopes), write {SUMMARY_FILE}, or gate widenings against {RELEASED_FILE}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
        parser.add_argument(
            "--endpoint", help='Only this endpoint: "METHOD /api/v1/path/{parameter}".'
        )
        parser.add_argument("--write", action="store_true", help=f"Write {SUMMARY_FILE}.")
        parser.add_argument(
            "--check-widening",
            action="store_true",
            help=f"Fail if {SUMMARY_FILE} is stale or exposure widened since {RELEASED_FILE} "
            f"without a {CHANGELOG_FILE} record.",
        )
        parser.add_argument(
            "--release",
            action="store_true",
            help=f"With --check-widening, when the gate passes: write {RELEASED_FILE}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        summary = summarize()
        if options["check_widening"]:
            self._gate(root, summary, release=bool(options["release"]))
            return
        if options["write"]:
            (root / SUMMARY_FILE).write_text(as_markdown(summary), encoding="utf-8")
            self.stdout.write(f"Wrote {SUMMARY_FILE}: commit it.")
            return
        if options["endpoint"]:
            wanted = " ".join(str(options["endpoint"]).split())
            method, _, path = wanted.partition(" ")
            wanted = f"{method.upper()} {path}"
            found = [e for e in summary["endpoints"] if e["endpoint"] == wanted]
            if not found:
                known = "\n".join(f"  {e['endpoint']}" for e in summary["endpoints"])
                raise CommandError(f"No endpoint {wanted!r}. The endpoints are:\n{known}")
            entry = found[0]
            text = as_json(entry) if options["format"] == "json" else endpoint_markdown(entry)
            self.stdout.write(text.rstrip("\n"))
            return
        text = as_json(summary) if options["format"] == "json" else as_markdown(summary)
        self.stdout.write(text.rstrip("\n"))

    def _gate(self, root: Path, summary: dict[str, Any], *, release: bool) -> None:
        committed_file = root / SUMMARY_FILE
        committed = committed_file.read_text(encoding="utf-8") if committed_file.exists() else None
        stale = staleness(committed, as_markdown(summary))
        released_file = root / RELEASED_FILE
        if released_file.exists():
            released = json.loads(released_file.read_text(encoding="utf-8"))
        elif release:
            released = summary  # the first release: nothing to compare with yet
        else:
            raise CommandError(f"{RELEASED_FILE} is missing: a project starts it with `{RELEASE}`.")
        changelog_file = root / CHANGELOG_FILE
        changelog = changelog_file.read_text(encoding="utf-8") if changelog_file.exists() else ""
        assessment = assess(released, summary, changelog)
        if stale is not None or not assessment.ok:
            raise CommandError("\n".join(filter(None, [stale, assessment.report()])))
        self.stdout.write(assessment.report())
        if release:
            released_file.write_text(as_json(summary), encoding="utf-8")
            self.stdout.write(f"{RELEASED_FILE} is now the released security summary: commit it.")
