"""The composition root as a Django app: listed last, so every model is loaded when the DI
container is built (building it earlier raises AppRegistryNotReady)."""

from __future__ import annotations

from django.apps import AppConfig


class CompositionRootConfig(AppConfig):
    name = "src"
    label = "composition_root"
    verbose_name = "Composition root"

    def ready(self) -> None:
        from src import container as composition
        from src import startup

        composition.application = composition.build_container()
        # The last app is ready: what follows (checks, the command, requests) is not startup.
        startup.finish()
