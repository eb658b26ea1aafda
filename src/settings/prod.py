"""Production: everything from the environment, HTTPS only, PostgreSQL expected.

Passes `manage.py check --deploy --fail-level WARNING` with no issue.
"""

from .base import *
from .base import env

DEBUG = False

# Without EMAIL_URL, production discards emails instead of printing them: the console backend
# would write every live reset and verification link into the logs. check --deploy warns
# (bastion.W005).
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# TLS is terminated by the proxy in front of the app; trust its header only behind it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
