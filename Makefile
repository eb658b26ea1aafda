# Bastion's entry points. `make run` serves the app; `make check` runs every gate and test.
# Both create the virtual environment on first use (Python 3.11+ as $(PYTHON)).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Throwaway production-shaped environment for `check --deploy` (never used to serve anything).
DEPLOY_ENV := DJANGO_SETTINGS_MODULE=src.settings.prod \
	DJANGO_SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	DJANGO_ALLOWED_HOSTS=api.example.com DATABASE_URL=postgres://bastion@db.example.com/bastion \
	REDIS_URL=redis://cache.example.com:6379/0 CELERY_BROKER_URL=redis://cache.example.com:6379/1 \
	EMAIL_URL=smtp+tls://mailer:placeholder@smtp.example.com:587 \
	DEFAULT_FROM_EMAIL=no-reply@example.com FRONTEND_URL=https://app.example.com

.PHONY: run serve worker beat check test lint typecheck imports django-checks contract openapi \
	openapi-release security-gate security-summary security-release dockerfile-lint seed lock \
	bench audit clean

$(INSTALLED): requirements/dev.txt requirements/base.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Bastion needs Python 3.11 or newer: make PYTHON=python3.12 ..." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	@# Bytecode for Bastion's own modules, as the image has: with PYTHONDONTWRITEBYTECODE set,
	@# Python would otherwise compile them from source on every command (docs/performance.md).
	$(BIN)/python -m compileall -q src adapters contexts kernel
	touch $(INSTALLED)

## run: migrate the SQLite database, load the demo data and serve on http://127.0.0.1:8000
run: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## serve: the production settings, locally: the container's start command (migrate,
## collectstatic, gunicorn) on http://127.0.0.1:8000 over plain HTTP, with the demo data.
## SQLite unless DATABASE_URL is set; a random secret key unless DJANGO_SECRET_KEY is.
SERVE_ENV := DJANGO_SETTINGS_MODULE=src.settings.prod HOST=127.0.0.1 PORT=8000 \
	SECURE_SSL_REDIRECT=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	SQLITE_PATH=$(CURDIR)/var/serve.sqlite3 STATIC_ROOT=$(CURDIR)/var/static
serve: $(INSTALLED)
	$(SERVE_ENV) DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
		sh -c '$(BIN)/python manage.py migrate --no-input && $(BIN)/python manage.py seed_demo && PATH="$(CURDIR)/$(BIN):$$PATH" RUN_MIGRATIONS=0 scripts/start'

## worker, beat: Celery's worker and beat with the development settings, for a local broker:
## CELERY_BROKER_URL=redis://127.0.0.1:6379/1 make run (and make worker, make beat beside it).
## Without CELERY_BROKER_URL, make run delivers the outbox in-process and needs neither.
worker: $(INSTALLED)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/start worker

beat: $(INSTALLED)
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/start beat

## check: every gate CI runs, then the whole test suite
check: lint typecheck imports django-checks contract security-gate dockerfile-lint test

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

imports: $(INSTALLED)
	$(BIN)/lint-imports importlinter.ini

django-checks: $(INSTALLED)
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run --no-input
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

## contract: docs/openapi.yaml is the schema the code generates, and it breaks no client of the
## released contract (docs/openapi-released.yaml) unless CHANGELOG.md records the change under a
## new API version (docs/api.md, "Contract governance")
contract: $(INSTALLED) | docs/openapi-released.yaml
	$(BIN)/python manage.py openapi_contract

# A project just copied from the template has neither file (copier.yml leaves them out: a fork's
# API contract is its own): its first `make check` writes the schema its code generates as both
# the committed and the released contract, to be committed (docs/forking.md). Never rewritten
# once they exist: `make openapi` and `make openapi-release` do that.
docs/openapi.yaml: | $(INSTALLED)
	@echo "docs/openapi.yaml is missing (a new fork?): writing the schema the code generates. Commit it." >&2
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file $@

docs/openapi-released.yaml: | docs/openapi.yaml
	@echo "docs/openapi-released.yaml is missing (a new fork?): the API's first release is docs/openapi.yaml. Commit it." >&2
	cp docs/openapi.yaml $@

## security-gate: docs/security-summary.md is the summary the code generates, and no endpoint
## exposes more than in the released summary (docs/security-summary-released.json) unless
## CHANGELOG.md records each widening (docs/security.md, "The security summary")
security-gate: $(INSTALLED) | docs/security-summary-released.json
	$(BIN)/python manage.py security_summary --check-widening

## security-summary: regenerate docs/security-summary.md from the code
security-summary: $(INSTALLED)
	$(BIN)/python manage.py security_summary --write

## security-release: when releasing, make the current summary the released one
security-release: $(INSTALLED)
	$(BIN)/python manage.py security_summary --check-widening --release

# As for the OpenAPI files above: a project just copied from the template writes its own.
docs/security-summary.md: | $(INSTALLED)
	@echo "docs/security-summary.md is missing (a new fork?): writing the summary the code generates. Commit it." >&2
	$(BIN)/python manage.py security_summary --write

docs/security-summary-released.json: | docs/security-summary.md
	@echo "docs/security-summary-released.json is missing (a new fork?): releasing the current summary. Commit it." >&2
	$(BIN)/python manage.py security_summary --check-widening --release

## openapi: regenerate docs/openapi.yaml, the committed OpenAPI schema
openapi: $(INSTALLED)
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

## openapi-release: when releasing an API version, make docs/openapi.yaml the released contract
openapi-release: $(INSTALLED)
	$(BIN)/python manage.py openapi_contract --release

dockerfile-lint: $(INSTALLED)
	$(BIN)/hadolint Dockerfile

# Two processes (pytest-xdist): the suite starts servers and copies the project, and waits on
# them as much as it computes. PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= 2
test: $(INSTALLED) | docs/openapi-released.yaml docs/security-summary-released.json
	$(BIN)/pytest -n $(PYTEST_WORKERS)

## bench: the read-path benchmark (docs/performance.md); needs wrk (apt-get install wrk)
BENCH_ARGS ?=
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/bench.txt
	command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## audit: pip-audit over the pinned requirements (base.txt and dev.txt, by their hashed pins:
## no resolution, nothing installed from them). Not part of `check`: it asks a vulnerability
## database on the network (PyPI's, by default). pip-audit comes from requirements/audit.txt.
audit: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/audit.txt
	$(BIN)/pip-audit --strict --progress-spinner off --require-hashes --disable-pip \
		-r requirements/base.txt -r requirements/dev.txt

## seed: (re)load the demo data into the current database
seed: $(INSTALLED)
	$(BIN)/python manage.py seed_demo

## lock: re-pin requirements/*.txt with hashes after editing requirements/*.in
lock:
	cd requirements && uv pip compile base.in --generate-hashes --universal --python-version 3.11 \
		--no-emit-index-url --no-emit-find-links -o base.txt
	cd requirements && uv pip compile dev.in --generate-hashes --universal --python-version 3.11 \
		--no-emit-index-url --no-emit-find-links -o dev.txt
	cd requirements && uv pip compile bench.in --generate-hashes --universal --python-version 3.11 \
		--no-emit-index-url --no-emit-find-links -o bench.txt
	cd requirements && uv pip compile audit.in --generate-hashes --universal --python-version 3.11 \
		--no-emit-index-url --no-emit-find-links -o audit.txt

clean:
	rm -rf $(VENV) var
