"""The benchmark's WSGI entry point: the app's own (src/wsgi.py), with bench/settings.py."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

# Imported once the settings module is chosen: src.wsgi only sets a default.
from src.wsgi import application

__all__ = ["application"]
