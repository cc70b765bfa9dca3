# SEND Portal. `make run` for the embedded demo, `make test` for the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Tests use the real PostgreSQL and Redis on this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/send_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test lint bench clean system-packages

# The Debian packages the app and its tests need (python3-venv, WeasyPrint's Pango and HarfBuzz,
# fonts, poppler-utils, Chromium): nothing is done when all are there; otherwise the missing
# ones are installed, through sudo when not root.
system-packages:
	PYTHON=$(PYTHON) bash scripts/system-packages.sh

$(BIN)/.installed: requirements.txt requirements-dev.txt | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# The embedded default: SQLite, Celery tasks in-process, demo data loaded.
run: install
	DJANGO_SETTINGS_MODULE=send_portal.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=send_portal.settings.local $(BIN)/python manage.py seed_demo
	DJANGO_SETTINGS_MODULE=send_portal.settings.local $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=send_portal.settings.test DATABASE_URL=sqlite://:memory: \
		$(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true \
		$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
