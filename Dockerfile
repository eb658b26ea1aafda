# Bastion's production image: gunicorn serving src.wsgi with the production settings.
#
#   docker build -t bastion .
#   docker run --rm -p 8000:8000 -e DJANGO_SECRET_KEY=... -e DATABASE_URL=postgres://... bastion
#
# Configuration is by environment variables only (README, "Configuration"); scripts/start lists
# the server's own ones (PORT, GUNICORN_WORKERS, RUN_MIGRATIONS, ...).
# Both stages use the same base image, so the virtual environment built in the first one runs
# unchanged in the second.

# --- builder: install the pinned, hash-checked runtime dependencies into /opt/venv -------------
FROM python:3.12.15-slim-bookworm AS builder

# pip compiles the bytecode at install time: the runtime user cannot write it into /opt/venv.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH="/opt/venv/bin:${PATH}"

WORKDIR /build
COPY requirements/base.txt requirements/base.txt
# Every dependency ships a wheel for CPython 3.12 on manylinux, so no compiler is needed.
RUN python -m venv /opt/venv \
    && pip install --require-hashes --no-cache-dir -r requirements/base.txt


# --- runtime: the virtual environment and the code, run as an unprivileged user -----------------
FROM python:3.12.15-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="bastion" \
      org.opencontainers.image.description="Secure-by-default Django modular monolith (REST API)"

# A fixed uid/gid, so volume permissions and Kubernetes' runAsUser/runAsNonRoot can rely on it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --no-log-init --uid 10001 --gid app \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:${PATH}" \
    DJANGO_SETTINGS_MODULE=src.settings.prod \
    STATIC_ROOT=/app/var/static \
    PORT=8000

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# The code stays owned by root (read-only for the app user); only var/ is writable: collected
# static files (STATIC_ROOT) and, when no DATABASE_URL is given, the SQLite fallback file.
COPY . .
RUN python -m compileall -q . \
    && mkdir -p /app/var/static \
    && chown -R 10001:10001 /app/var

USER 10001:10001

EXPOSE 8000

# Liveness only (/healthz checks no dependency; it is answered ahead of host validation and the
# HTTPS redirect). Any HTTP(S)_PROXY of the environment is bypassed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.build_opener(r.ProxyHandler({})).open('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["/app/scripts/start"]
