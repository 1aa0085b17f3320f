# infragen: `make gen` before every PR, `make test` for the whole suite. `make help` lists targets.
SHELL       := /bin/bash
# A Python >= 3.11: PYTHON=... wins; else the first of these on PATH that is new enough.
PYTHON      ?= $(shell for p in python3.14 python3.13 python3.12 python3.11 python3; do \
                 command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
                 >/dev/null 2>&1 && { echo $$p; break; }; done)
NO_PYTHON   := infragen needs Python 3.11 or newer: none of python3.14, python3.13, python3.12, python3.11, python3 on PATH is; install one or run make PYTHON=/path/to/python3.11+
VENV        ?= .venv
TOOLS_VENV  ?= .venv-tools
BIN         := $(VENV)/bin
INFRAGEN    := $(BIN)/infragen
PYTEST_ARGS ?=
export INFRAGEN_CHECKOV ?= $(CURDIR)/$(TOOLS_VENV)/bin/checkov
# Every install pins the exact versions of constraints/ (`make lock` refreshes them): a clone
# tests with the toolchain CI tested, not with whatever was released since.
PIP         := python -m pip install --quiet --disable-pip-version-check
CHECKOV     := checkov>=3.2

.DEFAULT_GOAL := help

# Two marker files: `make gen` needs only the runtime dependencies (.installed); the test tools
# (pytest, moto, mypy, ruff, ...) install on the first `make test`/`lint`/`golden` (.dev-installed).
$(BIN)/.installed: pyproject.toml constraints/dev.txt
	test -x $(BIN)/python || $(if $(PYTHON),$(PYTHON),$(error $(NO_PYTHON))) -m venv $(VENV)
	$(BIN)/$(PIP) -c constraints/dev.txt -e .
	touch $@

$(BIN)/.dev-installed: $(BIN)/.installed
	$(BIN)/$(PIP) -c constraints/dev.txt -e '.[dev]'
	touch $@

$(TOOLS_VENV)/.installed: constraints/tools.txt
	test -x $(TOOLS_VENV)/bin/python || $(if $(PYTHON),$(PYTHON),$(error $(NO_PYTHON))) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/$(PIP) --upgrade pip
	$(TOOLS_VENV)/bin/$(PIP) -c constraints/tools.txt '$(CHECKOV)'
	touch $@

PHONY_EXTRA := precommit sandbox sandbox-down
.PHONY: $(PHONY_EXTRA) help venv dev tools servers gen validate check lint test test-fast test-added-service golden schemas e2e fuzz bench lock docs clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

venv: $(BIN)/.installed ## Create the virtualenv with the runtime dependencies (done automatically)

dev: $(BIN)/.dev-installed ## Add the test tools to the virtualenv (done automatically by test/lint/golden)

tools: $(TOOLS_VENV)/.installed ## Install checkov in its own virtualenv

precommit: dev ## Install pre-commit into .venv and its git hook (.pre-commit-config.yaml)
	$(BIN)/$(PIP) -c constraints/dev.txt 'pre-commit>=3.5'
	$(BIN)/pre-commit install

# The real servers tests/servers.py starts (PostgreSQL 15, MariaDB, Redis 7): Debian's packages,
# installed only when a binary is missing (as root, or through sudo). A no-op when all are there.
SERVER_BINARIES := /usr/lib/postgresql/*/bin/initdb:postgresql /usr/sbin/mariadbd:mariadb-server /usr/bin/redis-server:redis-server

servers: ## Install the database servers the tests start (Debian: postgresql, mariadb-server, redis-server), when missing
	@missing=""; \
	for pair in $(SERVER_BINARIES); do \
	  found=""; for bin in $${pair%%:*}; do test -x "$$bin" && found=1; done; \
	  test -n "$$found" || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing$$missing"; \
	  $$sudo apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

gen: venv ## Validate the specs and regenerate accounts/, atlantis.yaml and CODEOWNERS
	$(INFRAGEN) gen

validate: venv ## Check every input file, write nothing
	$(INFRAGEN) validate

check: dev ## The live repository: validate, gen --check, docs/schemas fresh, fmt, terraform validate of every root
	$(INFRAGEN) gen --check
	$(INFRAGEN) validate
	$(INFRAGEN) docs --check
	$(INFRAGEN) schema --check
	TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive accounts modules
	INFRAGEN_LIVE_REPO=1 $(BIN)/python -m pytest tests/test_generated_roots.py -q -n 2

lint: dev ## ruff and mypy --strict on generator/, lint-imports (the stages stay layered)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

# checkov's own virtualenv, unless INFRAGEN_CHECKOV already names an installed checkov
CHECKOV_TOOLS := $(if $(wildcard $(INFRAGEN_CHECKOV)),,tools)

test: dev $(CHECKOV_TOOLS) ## The whole suite: lint, unit, golden, terraform validate/test, checkov, gen --check
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)
	$(MAKE) --no-print-directory check

ADDED_REPO ?= $(or $(TMPDIR),/tmp)/infragen-added-service

test-added-service: dev ## The whole `make test` on a copy of this repository with a service added as the README walks through (CI)
	rm -rf $(ADDED_REPO)
	$(BIN)/python tests/walkthrough.py $(ADDED_REPO)
	INFRAGEN_ADDED_SERVICE_COPY=1 $(MAKE) --no-print-directory -C $(ADDED_REPO) test PYTHON=$(PYTHON) INFRAGEN_CHECKOV=$(INFRAGEN_CHECKOV)
	rm -rf $(ADDED_REPO)

sandbox: dev ## moto on 127.0.0.1, apply the roots SERVICE needs in ENV (default staging), print the deploy story
	$(INFRAGEN) sandbox up --env $(or $(ENV),staging) $(if $(SERVICE),--service $(SERVICE))

sandbox-down: ## Stop what `make sandbox` started (idempotent)
	$(INFRAGEN) sandbox down

golden: dev ## Rewrite the golden files and the fixture organization's outputs (review the diff!)
	$(BIN)/python -m pytest tests/test_golden.py tests/test_kitchen_sink.py --update-golden
	$(INFRAGEN) gen --root tests/fixtures/org

schemas: venv ## Rewrite the datastore parts of schemas/{service,environment}.schema.json from generator/datastores
	$(INFRAGEN) schema --write

# One file at a time by default. E2E_WORKERS=2 (what CI runs) runs two files at a time (24.7
# instead of 37.5 min on 2 cores): the serial CI of stop 47 took 88 of its 90 minutes. A call the
# AWS provider resends is answered once by the emulator (docs/testing.md).
E2E_WORKERS ?= 1
E2E_SPREAD = $(if $(filter 1,$(E2E_WORKERS)),-p no:xdist -s,-n $(E2E_WORKERS) --dist loadfile -rP)

e2e: dev ## Plan/apply/destroy every Atlantis project against the moto AWS emulator (E2E_WORKERS=2: two files at a time)
	$(BIN)/python -m pytest tests/e2e $(E2E_SPREAD) --durations=15 $(PYTEST_ARGS)

fuzz: dev ## 10,000 examples of the escaping property test
	INFRAGEN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/test_escaping_oracle.py -p no:xdist

$(BIN)/.bench-installed: $(BIN)/.dev-installed
	$(BIN)/$(PIP) -c constraints/dev.txt -e '.[bench]'
	touch $@

bench: venv $(BIN)/.bench-installed ## Issue 14's targets at 10/100/1,000 services, plot, profile: docs/benchmarks* (~10 min; BENCH_QUICK=1)
	$(BIN)/python bench/run.py

LOCK_DIR ?= $(or $(TMPDIR),/tmp)/infragen-lock

lock: ## Re-pin constraints/*.txt to the newest versions pyproject.toml (and $(CHECKOV)) allow; then run the suite
	rm -rf $(LOCK_DIR)
	$(if $(PYTHON),$(PYTHON),$(error $(NO_PYTHON))) -m venv $(LOCK_DIR)/dev
	$(LOCK_DIR)/dev/bin/$(PIP) -e '.[dev,sandbox,bench]'
	{ sed -n '/^#/p' constraints/dev.txt; $(LOCK_DIR)/dev/bin/python -m pip freeze --exclude-editable | sort -f; } > $(LOCK_DIR)/dev.txt
	$(PYTHON) -m venv $(LOCK_DIR)/tools
	$(LOCK_DIR)/tools/bin/$(PIP) '$(CHECKOV)'
	{ sed -n '/^#/p' constraints/tools.txt; $(LOCK_DIR)/tools/bin/python -m pip freeze --exclude-editable | sort -f; } > $(LOCK_DIR)/tools.txt
	mv $(LOCK_DIR)/dev.txt $(LOCK_DIR)/tools.txt constraints/
	rm -rf $(LOCK_DIR)
	git diff --stat -- constraints/

clean: ## Remove virtualenvs and caches
	rm -rf $(VENV) $(TOOLS_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
