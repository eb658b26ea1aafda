"""Test runs: fast hashing, a file-based SQLite test database (threads need a shared file)."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-never-used-in-production-0123456789abcdef"
)
# Generous defaults, so that only the tests about throttling ever meet a throttle.
os.environ.setdefault("THROTTLE_ANON_RATE", "10000/minute")
os.environ.setdefault("THROTTLE_USER_RATE", "100000/minute")
os.environ.setdefault("THROTTLE_AUTH_RATE", "10000/minute")
os.environ.setdefault("THROTTLE_PASSWORD_RESET_RATE", "10000/minute")
os.environ.setdefault("THROTTLE_PASSWORD_RESET_EMAIL_RATE", "10000/minute")
os.environ.setdefault("THROTTLE_VERIFICATION_EMAIL_RATE", "10000/minute")
os.environ.setdefault("FRONTEND_URL", "https://app.example.com")

from .base import *
from .base import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Sent mail is kept in django.core.mail.outbox, whatever EMAIL_URL says.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: concurrency tests use several connections. One per test process, so
    # that two runs side by side (or xdist workers) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
else:
    # Likewise on PostgreSQL: concurrent runs on one server each get their own test database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Tests do not run collectstatic: serve static files by their plain names.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise indexes STATIC_ROOT whenever a test client builds its middleware: keep the tests'
# own, empty, rather than whatever collectstatic left in the shared one (make serve).
STATIC_ROOT = BASE_DIR / "var" / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
