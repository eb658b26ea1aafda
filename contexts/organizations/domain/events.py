"""What organizations announce to the rest of the system. Events carry primitives only, and a
version, so that subscribers in other contexts never depend on this context's classes."""

from __future__ import annotations

import attrs


@attrs.frozen
class OrganizationCreated:
    organization_id: int
    owner_id: int
    version: int = 1
