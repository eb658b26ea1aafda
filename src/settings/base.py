"""Settings shared by every environment.

Every value that differs between deployments is read from an environment variable (listed in
README.md, "Configuration"); dev, test and prod modules only change defaults.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ

from src import startup
from src.settings.database import database_from_env

# Makes generic Django classes (QuerySet[User], ModelAdmin[User]) subscriptable at runtime.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY: str = env.str("DJANGO_SECRET_KEY")
DEBUG: bool = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "adapters.platform",
    "adapters.platform.idempotency",
    # The bounded contexts: this list is the only place that names them. Each one's AppConfig
    # declares the rest (adapters.platform.contexts); a context comes after those it uses.
    "adapters.identity",
    "adapters.organizations",
    "adapters.billing",
    # The composition root comes last: its ready() builds and wires the DI container once every
    # model is loaded.
    "src.apps.CompositionRootConfig",
]

MIDDLEWARE = [
    "adapters.platform.http.request_context.RequestContextMiddleware",
    "adapters.platform.http.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "adapters.platform.http.database.DatabaseUnavailableMiddleware",
    # Axes last, as its documentation asks: it turns admin-site lock-outs into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "src.urls"
WSGI_APPLICATION = "src.wsgi.application"
ASGI_APPLICATION = "src.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# DATABASE_URL (PostgreSQL in production), else the SQLite file SQLITE_PATH; SQLite is tuned for
# concurrent use either way (src/settings/database.py).
DATABASES = {"default": database_from_env(env, default_sqlite_path=BASE_DIR / "var" / "db.sqlite3")}
# DRF imports psycopg at startup (~60 ms) unless told that only SQLite is in use.
startup.skip_drf_postgres_probe(DATABASES)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out identities before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Tokens are stored as SHA-512 digests, expire after AUTH_TOKEN_TTL_HOURS and are revoked on logout.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("AUTH_TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": env.int("AUTH_TOKEN_LIMIT_PER_USER", default=20),
    "AUTO_REFRESH": False,
}

# Lock-out after LOGIN_FAILURE_LIMIT failed logins for one email, for LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("LOGIN_LOCKOUT_MINUTES", default=15))
# Per email, as the API contract promises. Per-address brute force (many emails from one client)
# is the job of THROTTLE_AUTH_RATE, which counts per client IP without locking out a whole
# office behind one NAT; hence axes' "add ip_address" warning is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "adapters.identity.problems.axes_lockout_response"
# Axes' access logs would open a session (a cookie and a row) on every API login just to hash
# its key; the JSON request logs already record logins and failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# A lock-out ends LOGIN_LOCKOUT_MINUTES after it began; attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so anonymous API calls get 401 with WWW-Authenticate rather than 403.
        "adapters.identity.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["adapters.platform.rest.rendering.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["adapters.platform.rest.rendering.ORJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "adapters.platform.rest.rendering.JSONOnlyNegotiation",
    "DEFAULT_PAGINATION_CLASS": None,
    "EXCEPTION_HANDLER": "adapters.platform.rest.problems.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "adapters.platform.rest.openapi.BastionAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "adapters.platform.rest.throttling.AnonThrottle",
        "adapters.platform.rest.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="60/minute"),
        "user": env.str("THROTTLE_USER_RATE", default="1200/minute"),
        "auth": env.str("THROTTLE_AUTH_RATE", default="20/minute"),
    },
    # How many proxies in front append to X-Forwarded-For. 0: the client address is
    # REMOTE_ADDR, and a client-sent X-Forwarded-For is ignored (it cannot dodge throttles).
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# The currency of every organization's prepaid account (ISO 4217).
BILLING_CURRENCY = env.str("BILLING_CURRENCY", default="EUR")

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100

SPECTACULAR_SETTINGS = {
    "TITLE": "Bastion API",
    "DESCRIPTION": (
        "Versioned JSON API. Authenticate with `Authorization: Token <key>` from "
        "`POST /api/v1/auth/login`. Every error is `application/problem+json` (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["adapters.platform.rest.openapi.add_problem_responses"],
    "GET_LIB_DOC_EXCLUDES": "adapters.platform.rest.openapi.lib_doc_excludes",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "AUTHENTICATION_WHITELIST": ["adapters.identity.authentication.TokenAuthentication"],
    "ENUM_NAME_OVERRIDES": {},
}

# --- Caches -------------------------------------------------------------------------------------
# Throttle counters need a cache shared by every worker in production (REDIS_URL). The app serves
# without it: every cache operation fails open (adapters/platform/persistence/cache.py), and
# django-axes keeps lock-outs in the database.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "adapters.platform.persistence.cache.FailOpenRedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "OPTIONS": {
                # What one attempt may cost a request when Redis is unreachable.
                "socket_connect_timeout": env.float("REDIS_TIMEOUT_SECONDS", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT_SECONDS", default=0.5),
                # How long a process serves without the cache before trying it again.
                "RETRY_AFTER": env.float("REDIS_RETRY_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Internationalisation, static files ---------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing directory
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security defaults (hardened further in prod) -----------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_MAX_BYTES", default=1024 * 1024)

# --- Logging: one JSON object per line, each carrying the request id ----------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "adapters.platform.http.request_context.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's own plain-text console handlers so each line is logged once, as JSON.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}
