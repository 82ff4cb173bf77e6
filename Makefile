# One command to run, one to test. `make help` lists the targets.
#
# PostgreSQL and Redis: when DATABASE_URL / REDIS_URL are not set, scripts/devservices.py starts
# private servers under .devdata/ and writes their addresses to .devdata/env (read by
# config/settings.py). `make stop` stops them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
ARGS ?=

# Stamps: reinstall only when the files that say what to install change.
PIP_STAMP := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp

.PHONY: help setup services run run-only migrate seed test bench lint format typecheck lock \
        stop status clean distclean

help:
	@echo "make run        set up, start PostgreSQL/Redis, migrate, seed, run web + worker + beat"
	@echo "make test       set up, start PostgreSQL/Redis, run pytest (ARGS='-k name' passes through)"
	@echo "make bench      run the benchmarks (benchmarks/) and write BENCHMARKS.md"
	@echo "make setup      create .venv and install Python and npm packages (when changed)"
	@echo "make migrate    apply migrations as the owner role and grant the application role"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make typecheck  mypy"
	@echo "make lock       rewrite constraints.txt from the virtualenv"
	@echo "make stop       stop the private PostgreSQL and Redis"
	@echo "make clean      stop them and delete .devdata (their data) and build output"

# --- Setup ---------------------------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): pyproject.toml constraints.txt | $(PY)
	$(BIN)/pip install --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(PIP_STAMP) $(NPM_STAMP)

services: setup
	$(PY) scripts/devservices.py start

# --- Run -----------------------------------------------------------------------------------

migrate: services
	DJANGO_DB_ROLE=owner $(PY) manage.py migrate --noinput
	DJANGO_DB_ROLE=owner $(PY) manage.py setup_app_role

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	bash scripts/run_all.sh

# --- Test ----------------------------------------------------------------------------------

# pytest-django creates the test database; the project's conftest decides which role does what.
test: services
	$(BIN)/pytest $(ARGS)

# The benchmarks (benchmarks/, not part of `make test`), on their own test database like the
# tests. The first run generates their data into .devdata/bench/ (about 1.5 GB, a few minutes);
# every run writes what it measured to BENCHMARKS.md.
bench: services
	$(BIN)/pytest benchmarks -v $(ARGS)
	@echo "Figures written to BENCHMARKS.md"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup
	$(BIN)/mypy --exclude '^(\.venv|node_modules|\.devdata|build)/' .

# The lock: exact versions of what is installed in .venv now. After changing pyproject.toml,
# install what it asks for with pip (constraints.txt may still pin the old versions, so not
# through `make setup`), then `make lock`.
lock: | $(PY)
	{ \
	  echo "# The lock for repeatable installs: exact versions of every Python package in the virtualenv."; \
	  echo "# Used as \`pip install -c constraints.txt -e '.[dev]'\` (make setup) and in the Dockerfile."; \
	  echo "# Regenerate after changing dependencies in pyproject.toml: \`make lock\`"; \
	  echo "# (it writes \`.venv/bin/pip freeze --exclude-editable\` here)."; \
	  $(BIN)/pip freeze --exclude-editable; \
	} > constraints.txt.tmp
	mv constraints.txt.tmp constraints.txt
	touch $(PIP_STAMP)

# --- Services ------------------------------------------------------------------------------

stop:
	@if [ -x $(PY) ]; then $(PY) scripts/devservices.py stop; fi

status:
	@if [ -x $(PY) ]; then $(PY) scripts/devservices.py status; fi

clean: stop
	rm -rf .devdata staticfiles test-results .mypy_cache .ruff_cache .pytest_cache
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
