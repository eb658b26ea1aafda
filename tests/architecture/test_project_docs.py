"""CONTRIBUTING.md and SECURITY.md point only at files and sections that exist: SECURITY.md
sends readers to docs/security.md's sections rather than repeating them, so a renamed heading
there must not leave it pointing nowhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchors(document: Path) -> set[str]:
    """GitHub's anchors for the document's headings."""
    found = set()
    for line in document.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


@pytest.mark.parametrize("name", ["CONTRIBUTING.md", "SECURITY.md"])
def test_every_relative_link_leads_to_a_file_and_section_that_exist(name: str) -> None:
    document = ROOT / name
    links = [link for link in LINK.findall(document.read_text()) if "://" not in link]
    assert links, f"{name} links to nothing in the repository"
    for link in links:
        path, _, anchor = link.partition("#")
        target = (document.parent / path).resolve() if path else document
        assert target.is_file(), f"{name}: {link} names no file"
        if anchor:
            assert anchor in anchors(target), f"{name}: {link}: no such section in {path}"
