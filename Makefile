# SEND Portal. `make run` for the embedded demo, `make test` for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests use the real PostgreSQL and Redis on this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/send_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install lock run test lint bench clean system-packages production-local backup restore

# The Debian packages the app and its tests need (python3-venv, WeasyPrint's Pango and HarfBuzz,
# fonts, poppler-utils, Chromium): nothing is done when all are there; otherwise the missing
# ones are installed, through sudo when not root.
system-packages:
	PYTHON=$(PYTHON) bash scripts/system-packages.sh

# requirements-dev.txt is the whole lock (runtime and test packages, each pinned with its
# hashes), so every machine installs exactly what the tests ran on.
$(BIN)/.installed: requirements.txt requirements-dev.txt | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Recompile the locks from requirements.in and requirements-dev.in (pip-tools in a venv of its
# own, so it never enters the app's). Versions already locked are kept unless an .in file
# asks otherwise; `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed.
PIP_TOOLS_VERSION ?= 7.7.0
LOCK_VENV ?= .venv-lock
LOCK_ARGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) \
		&& $(LOCK_VENV)/bin/pip install --quiet pip-tools==$(PIP_TOOLS_VERSION); }
	$(PIP_COMPILE) --output-file=requirements.txt requirements.in
	$(PIP_COMPILE) --output-file=requirements-dev.txt requirements-dev.in

# The embedded default: SQLite, Celery tasks in-process, demo data loaded.
run: install
	DJANGO_SETTINGS_MODULE=send_portal.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=send_portal.settings.local $(BIN)/python manage.py seed_demo
	DJANGO_SETTINGS_MODULE=send_portal.settings.local $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# mypy's Django plugin loads the test settings (no database is opened: DATABASE_URL is only
# parsed); its configuration, and which modules are checked strictly, is in pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=send_portal.settings.test DATABASE_URL=sqlite://:memory: $(BIN)/mypy
	DJANGO_SETTINGS_MODULE=send_portal.settings.test DATABASE_URL=sqlite://:memory: \
		$(BIN)/python manage.py makemigrations --check --dry-run

# The tests also start Caddy, the production shape's proxy (tests/faults/test_slow_clients.py).
test: lint
	PYTHON=$(PYTHON) bash scripts/system-packages.sh caddy
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest $(PYTEST_ARGS)

# The production shape without Docker: Caddy in front of gunicorn, a Celery worker and beat,
# production settings, on https://localhost:8443 (PRODUCTION_LOCAL_PORT), against this
# machine's PostgreSQL and Redis. Ctrl-C stops it all.
PRODUCTION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/send_portal_local
PRODUCTION_REDIS_URL ?= redis://127.0.0.1:6379/14
production-local: install
	PYTHON=$(PYTHON) bash scripts/system-packages.sh caddy
	DATABASE_URL=$(PRODUCTION_DATABASE_URL) REDIS_URL=$(PRODUCTION_REDIS_URL) \
		$(BIN)/python scripts/production_local.py

# The database (pg_dump, custom format) and the media folder into a dated folder under
# BACKUP_ROOT (backups/); `make restore BACKUP=backups/send-portal-...Z` into an empty database.
# Both read DATABASE_URL and MEDIA_ROOT from the environment or .env.
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(BACKUP)" || { echo "make restore BACKUP=<backup folder>"; exit 2; }
	$(BIN)/python manage.py restore "$(BACKUP)"

bench: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) $(LOCK_VENV) db.sqlite3 staticfiles
