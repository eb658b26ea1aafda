"""Production settings plus the benchmark's reference endpoints. Served on 127.0.0.1 only."""

import os

os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The benchmark measures the endpoints, not the rate limiter's refusals.
os.environ.setdefault("THROTTLE_USER_RATE", "100000000/minute")

from src.settings.prod import *  # noqa: F403
from src.settings.prod import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
# Plain HTTP on loopback: no HSTS or secure-cookie warnings matter here.
SECURE_HSTS_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
