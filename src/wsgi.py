"""WSGI entry point (gunicorn src.wsgi). Production settings unless told otherwise."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from src import startup

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler


def _application() -> WSGIHandler:
    startup.begin()  # before Django is imported (src/startup.py)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "src.settings.prod")
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


application = _application()
