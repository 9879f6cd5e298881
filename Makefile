# Vouch: `make run` serves the portal, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test test-main test-browser install install-dev migrate lint bench clean messages check-messages

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Vouch needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# Message catalogs are compiled in Python (no GNU gettext needed); .mo files are not committed.
install: $(VENV)/.installed
	@$(PY) -m portal.core.catalogs compile
install-dev: $(VENV)/.installed-dev
	@$(PY) -m portal.core.catalogs compile

# Re-extract our strings (needs GNU gettext) into locale/<lang>/ for both domains.
MAKEMESSAGES = DEBUG=true $(PY) manage.py makemessages -l fi -l it -l lv -l ru -l tl \
	--no-obsolete --add-location=file -i .venv -i tests -i bench -i staticfiles -i media -i node_modules
messages: install
	$(MAKEMESSAGES) -d django
	$(MAKEMESSAGES) -d djangojs
	@$(PY) -m portal.core.catalogs compile

# CI gate: every entry translated, nothing fuzzy, catalogs current with the code.
check-messages: install
	$(PY) -m portal.core.catalogs check

# The embedded default: SQLite, in-memory channel layer, inline Celery, console e-mail.
run: export DEBUG ?= true
run: export MFA_REQUIRED_FOR_STAFF ?= false
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo "Vouch is at http://$(HOST):$(PORT)/  (demo logins in README.md, password vouch-demo)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# Main suite, then browser tests in their own pytest run (Playwright's sync API and
# pytest-asyncio cannot share one run). PostgreSQL and Redis when DATABASE_URL and
# REDIS_URL are set; the embedded default otherwise.
test: install-dev
	$(PY) -m pytest --ignore=tests/browser
	$(PY) -m pytest tests/browser

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install-dev
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	find locale -name '*.mo' -delete
	rm -rf $(VENV) vouch.sqlite3 .test-db.sqlite3 staticfiles test-artifacts
