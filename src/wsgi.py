"""WSGI entry point (gunicorn src.wsgi). Production settings unless told otherwise."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "src.settings.prod")

application = get_wsgi_application()
