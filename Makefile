# Vouch: `make run` serves the portal, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test test-main test-browser test-money-embedded mutate install install-dev migrate lint bench fuzz clean lock audit release \
	setup-dev spdx licences messages check-messages

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Vouch needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# Locked installs: every package pinned with its hashes (requirements/, `make lock`).
LOCK := requirements/lock.txt
LOCK_DEV := requirements/lock-dev.txt

$(VENV)/.installed: $(LOCK) pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-dev: $(LOCK_DEV) $(VENV)/.installed
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_DEV)
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
# Links (referral link, QR code, e-mails) follow the address served. The demo's settings are
# written to .env.local, which manage.py reads, so the README's commands work without make.
# Set-up output goes to .cache/make-run.log; the address and the logins are printed last.
RUN_LOG := .cache/make-run.log
LOCAL_ENV_VARS := DEBUG MFA_REQUIRED_FOR_STAFF SITE_URL $(if $(DATABASE_URL),DATABASE_URL) \
	$(if $(REDIS_URL),REDIS_URL)
run: export DEBUG ?= true
run: export MFA_REQUIRED_FOR_STAFF ?= false
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: install
	@mkdir -p .cache
	@{ echo "# Written by make run: the demo's settings, read by manage.py."; \
	  $(foreach v,$(LOCAL_ENV_VARS),echo "$(v)=$$$(v)";) } > .env.local
	@echo "Migrating and loading the demo data (log: $(RUN_LOG))..."
	@$(PY) manage.py migrate --no-input > $(RUN_LOG) 2>&1 || { tail -n 30 $(RUN_LOG); exit 1; }
	@$(PY) manage.py seed_demo >> $(RUN_LOG) 2>&1 || { tail -n 30 $(RUN_LOG); exit 1; }
	@$(PY) manage.py demo_logins
	@$(PY) manage.py runserver $(HOST):$(PORT)

# Main suite, then browser tests in their own pytest run (Playwright's sync API and
# pytest-asyncio cannot share one run). PostgreSQL and Redis when DATABASE_URL and
# REDIS_URL are set; the embedded default otherwise.
test: install-dev
	$(PY) -m pytest --ignore=tests/browser
	$(PY) -m pytest tests/browser

# The money property tests on the embedded default as well (SQLite sums decimals as
# floating point), with CI's fixed Hypothesis examples, whatever DATABASE_URL says.
test-money-embedded: install-dev
	env -u CI -u DATABASE_URL -u REDIS_URL HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q \
		-m hypothesis tests/portal/payouts tests/portal/rewards

# Mutation testing (mutmut) over the money, permission and privacy rules, each module
# against its own tests on SQLite; prints the score and the surviving mutants, fails
# below 90 %. Equivalent mutants, with the reason, are in mutation-equivalents.txt.
# `make mutate MODULES=signing` runs one module (names in scripts/mutate.py).
mutate: install-dev
	nice -n 10 $(PY) scripts/mutate.py $(MODULES)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) scripts/spdx_headers.py --check
	$(PY) scripts/dependency_licences.py --check

# Git hooks (.pre-commit-config.yaml): ruff, SPDX lines, migrations, catalogs, secrets and
# large files, run by tools from the locked virtualenv.
setup-dev: install-dev
	$(VENV)/bin/pre-commit install

# Add the SPDX licence line where it is missing; rewrite THIRD-PARTY-LICENSES.md (after
# `make lock`).
spdx: | $(PY)
	$(PY) scripts/spdx_headers.py
licences: install-dev
	$(PY) scripts/dependency_licences.py

# Re-resolve the lock files after a change to pyproject.toml (`make lock UPGRADE=1`: newest
# versions of everything). Resolved for CPython 3.11 on Linux, the Docker image and CI.
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" \
	$(if $(UPGRADE),--upgrade)
lock: install-dev
	$(UV_COMPILE) pyproject.toml requirements/build.in -o $(LOCK)
	$(UV_COMPILE) pyproject.toml requirements/build.in --extra dev -c $(LOCK) -o $(LOCK_DEV)

# Known vulnerabilities in the locked set, from PyPI's advisory data (stdlib only).
audit: | $(PY)
	$(PY) scripts/audit_lock.py $(LOCK) $(LOCK_DEV)

# A release: the container image tagged with the version in pyproject.toml, installed from
# the lock file (whose digest it carries as a label). Needs docker and a committed tree.
VERSION = $(shell $(PYTHON) -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
LOCK_SHA256 = $(shell $(PYTHON) -c 'import hashlib; print(hashlib.sha256(open("$(LOCK)", "rb").read()).hexdigest())')
IMAGE ?= vouch
release:
	@test -z "$$(git status --porcelain)" || { echo "Commit first: a release is built from a committed tree."; exit 1; }
	@grep -q '^## \[$(VERSION)\] - ' CHANGELOG.md || { echo "CHANGELOG.md has no section for $(VERSION)."; exit 1; }
	docker build --build-arg VERSION=$(VERSION) --build-arg LOCK_SHA256=$(LOCK_SHA256) -t $(IMAGE):$(VERSION) .
	@echo "Built $(IMAGE):$(VERSION). Tag the commit: git tag -a v$(VERSION) -m 'Vouch $(VERSION)'"

# A wider pass than CI's: schemathesis with random, many more examples per operation, and
# every web URL pattern (Wagtail's admin and allauth included) with more odd path values.
fuzz: install-dev
	VOUCH_FUZZ=1 $(PY) -m pytest tests/portal/api/test_schema.py tests/portal/core/test_odd_input.py

bench: install-dev
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	find locale -name '*.mo' -delete
	rm -rf $(VENV) vouch.sqlite3 .test-db.sqlite3 staticfiles test-artifacts .cache .env.local
