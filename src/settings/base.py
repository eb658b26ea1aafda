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
from src.settings import project
from src.settings.database import database_from_env

# Makes generic Django classes (QuerySet[User], ModelAdmin[User]) subscriptable at runtime.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# The project's name and slug, written once, in src/settings/project.py.
PROJECT_NAME = project.PROJECT_NAME
PROJECT_SLUG = project.PROJECT_SLUG

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
    "adapters.platform.outbox",
    # The bounded contexts, named in one place only: src/settings/project.py.
    *project.CONTEXTS,
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

# --- CORS: off unless CORS_ALLOWED_ORIGINS names the browser origins (docs/security.md) ---------
# The API authenticates with a token in the Authorization header, so a browser app on another
# origin needs CORS only to read responses. Not installed at all by default: no middleware cost.
# "*" allows every origin; production refuses it together with CORS_ALLOW_CREDENTIALS
# (check --deploy: bastion.E008).
_cors_origins: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = _cors_origins == ["*"]
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_ALLOW_CREDENTIALS: bool = env.bool("CORS_ALLOW_CREDENTIALS", default=False)
CORS_URLS_REGEX = r"^/api/"  # never the admin, the probes or the static files
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = ("location", "retry-after", "x-request-id")
CORS_PREFLIGHT_MAX_AGE = 3600
if _cors_origins:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("rest_framework"), "corsheaders")
    # As high as it can be (django-cors-headers' documentation): before CommonMiddleware, and
    # after the request id, so that preflight responses carry one and are logged.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("adapters.platform.http.health.HealthProbeMiddleware") + 1,
        "corsheaders.middleware.CorsMiddleware",
    )

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
    "DEFAULT_SCHEMA_CLASS": "adapters.platform.rest.openapi.ProjectAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "adapters.platform.rest.throttling.AnonThrottle",
        "adapters.platform.rest.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="60/minute"),
        "user": env.str("THROTTLE_USER_RATE", default="1200/minute"),
        "auth": env.str("THROTTLE_AUTH_RATE", default="20/minute"),
        # Asking for a password reset: per client address, and per email whoever asks.
        "password_reset": env.str("THROTTLE_PASSWORD_RESET_RATE", default="10/hour"),
        "password_reset_email": env.str("THROTTLE_PASSWORD_RESET_EMAIL_RATE", default="3/hour"),
        # Asking for a new verification email, per user.
        "verification_email": env.str("THROTTLE_VERIFICATION_EMAIL_RATE", default="3/hour"),
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
    "TITLE": f"{PROJECT_NAME} API",
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

# --- Work outside the request: the outbox, delivered by Celery on Redis ---------------------------
# docs/deploy.md, "Workers". Integration events are recorded in the outbox table with the change
# that caused them and delivered after the commit. With CELERY_BROKER_URL (Redis, e.g.
# redis://host:6379/1) an outbox.deliver task per event goes to the workers (celery -A src
# worker) and beat (celery -A src beat, exactly one) runs the periodic jobs (src/celery.py: the
# outbox sweep, pruning idempotency records, purging expired tokens). Without it
# (development, tests) the committing process delivers them itself right after the commit.
# Deliberately not REDIS_URL: the cache may be flushed or evicted (allkeys-lru), a broker must
# not be, so the two are named separately (another database or server) — and a deployment that
# sets only REDIS_URL has no worker to send tasks to.
CELERY_BROKER_URL: str = env.str("CELERY_BROKER_URL", default="")
# JSON only: pickle would run code for whoever can write to Redis.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# No result backend: a task's outcome is the outbox row's status.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# At least once: a task is acknowledged after it ran, and requeued if its worker died under it
# (every handler is idempotent through the inbox). One task reserved at a time per process.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A handler stuck on a dead connection is interrupted (SoftTimeLimitExceeded: a failed attempt,
# retried), and its process killed if that does not end it. Outbox handlers are short (an email
# is one SMTP exchange of at most EMAIL_TIMEOUT_SECONDS); these bound how long a message a lost
# worker held waits for the sweep (OUTBOX_REDELIVER_AFTER_SECONDS is above both).
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT_SECONDS", default=50)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT_SECONDS", default=60)
# Celery's Django fixup closes the database connections around every task unless this is set:
# a reconnect per delivery (bench/outbox.py: +0.8 ms on SQLite, +3.4 ms on PostgreSQL).
# src/celery.py closes broken or expired ones around each task instead, as Django does around
# a request (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged task (its worker was lost) is given to another worker after this long.
    # Retry countdowns stay well below it (OUTBOX_RETRY_BACKOFF_MAX_SECONDS), or a waiting retry
    # would be delivered twice.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600),
    # Workers and beat: a broker that vanishes without closing the connection is noticed.
    "socket_connect_timeout": env.float("CELERY_BROKER_TIMEOUT_SECONDS", default=5),
    "socket_timeout": env.float("CELERY_BROKER_TIMEOUT_SECONDS", default=5),
    "socket_keepalive": True,
    "health_check_interval": 25,
}
# The worker logs through LOGGING below (JSON lines), not through handlers of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS = False
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# Beat keeps when each job last ran in this file (var/ is writable in the image).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)

# What a request's publish may cost when the broker is unreachable: one connect attempt of at
# most this many seconds (and as long to send), no retry; the sweep sends what it missed.
OUTBOX_PUBLISH_TIMEOUT_SECONDS = env.float("OUTBOX_PUBLISH_TIMEOUT_SECONDS", default=0.5)
# The sweep (beat, every OUTBOX_SWEEP_INTERVAL_SECONDS) sends again messages still pending this
# long after they were recorded (the process died after its commit, or the broker was down)...
OUTBOX_SWEEP_INTERVAL_SECONDS = env.float("OUTBOX_SWEEP_INTERVAL_SECONDS", default=5)
OUTBOX_SWEEP_AFTER_SECONDS = env.float("OUTBOX_SWEEP_AFTER_SECONDS", default=5)
# ...and messages published this long ago but never finished (their worker was lost, or a retry
# could not be scheduled). Longer than any handler runs plus the longest retry countdown.
OUTBOX_REDELIVER_AFTER_SECONDS = env.float("OUTBOX_REDELIVER_AFTER_SECONDS", default=150)
# A failing handler is retried after 2, 4, 8, ... seconds (at most the cap, with jitter); the
# message is marked failed (admin: Outbox messages, "retry") after OUTBOX_MAX_ATTEMPTS attempts.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_BACKOFF_SECONDS = env.float("OUTBOX_RETRY_BACKOFF_SECONDS", default=2)
OUTBOX_RETRY_BACKOFF_MAX_SECONDS = env.float("OUTBOX_RETRY_BACKOFF_MAX_SECONDS", default=60)
# On PostgreSQL, the workers' commits (attempt counts, inbox claims, handlers' changes, done
# marks) do not wait for the WAL to reach the disk: a crash of the database server may lose the
# last fraction of a second of them, and the sweep then delivers those messages again (claim and
# changes are lost together, so nothing takes effect twice in the database). The requests'
# commits, which record the events, always wait. docs/deploy.md, "Workers".
OUTBOX_WORKER_SYNCHRONOUS_COMMIT = env.bool("OUTBOX_WORKER_SYNCHRONOUS_COMMIT", default=False)

# Stored Idempotency-Key responses are deleted after this many days (daily, by beat).
IDEMPOTENCY_RETENTION_DAYS = env.int("IDEMPOTENCY_RETENTION_DAYS", default=7)
# Delivered outbox messages (and their inbox records) are deleted after this; failed ones stay.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)

# --- Email: account emails, sent by the outbox's handlers (in the workers) ------------------------
# EMAIL_URL: smtp://user:password@host:25, smtp+tls://... (STARTTLS, e.g. port 587) or
# smtp+ssl://... (implicit TLS, port 465); consolemail:// prints them (the default, development).
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
# What one SMTP exchange may cost a worker before it fails (and the outbox retries it).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{PROJECT_NAME} <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The name emails give the service.
SITE_NAME = env.str("SITE_NAME", default=PROJECT_NAME)
# Where the links in emails point: {FRONTEND_URL}/reset-password?token=...,
# {FRONTEND_URL}/verify-email?token=..., {FRONTEND_URL}/accept-invitation?token=...
# Required in production (check --deploy: bastion.E006).
FRONTEND_URL = env.str("FRONTEND_URL", default="")
# How long the links' one-time tokens live, in seconds (Django's setting for the reset's).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60)
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT_SECONDS", default=3 * 24 * 3600)
# How long an invitation to an organization can be accepted, in seconds.
INVITATION_TIMEOUT = env.int("INVITATION_TIMEOUT_SECONDS", default=7 * 24 * 3600)

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
            "static_fields": {"service": PROJECT_SLUG},
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

# --- Error reporting: Sentry, only when SENTRY_DSN is set (docs/deploy.md) ---------------------
# No other telemetry: no DSN, no SDK initialised, nothing leaves the process. PII stays off; the
# request id is attached to every event (src/error_reporting.py).
SENTRY_DSN: str = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from src import error_reporting

    error_reporting.start(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
