"""Local development: SQLite, DEBUG on, a throwaway secret key."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "dev-only-secret-key-never-used-in-production-0123456789abcdef"
)
os.environ.setdefault("DJANGO_DEBUG", "true")
# Links in the emails (printed on the console) point at a frontend served here.
os.environ.setdefault("FRONTEND_URL", "http://localhost:3000")

from .base import *
