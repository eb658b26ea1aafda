"""Load the demo data that README.md lists. Idempotent: running it twice changes nothing.

Each installed context seeds its own (``ContextConfig.demo_data``), in INSTALLED_APPS order,
through its application services, so demo data obeys the same rules (password policy, role
rules, events) as data created through the API. ``world`` carries what one context's seed
tells the next (the demo users' ids, the organizations just created).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from adapters.platform.contexts import installed_contexts
from src import container as composition


class Command(BaseCommand):
    help = "Create the demo data of every installed context (see README.md, 'Demo data')."

    def handle(self, *args: Any, **options: Any) -> None:
        world: dict[str, Any] = {}
        for context in installed_contexts():
            seed = context.demo_seed()
            if seed is not None:
                seed(
                    container=getattr(composition.application, context.label).container, world=world
                )
        self.stdout.write(" ".join(["Demo data ready.", *world.get("summary", [])]))
