"""Local development: SQLite, DEBUG on, a throwaway secret key."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "dev-only-secret-key-never-used-in-production-0123456789abcdef"
)
os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *
