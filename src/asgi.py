"""ASGI entry point. Production settings unless told otherwise."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from src import startup

if TYPE_CHECKING:
    from django.core.handlers.asgi import ASGIHandler


def _application() -> ASGIHandler:
    startup.begin()  # before Django is imported (src/startup.py)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "src.settings.prod")
    from django.core.asgi import get_asgi_application

    return get_asgi_application()


application = _application()
