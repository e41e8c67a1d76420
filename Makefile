# The README's two commands are `make up` and `make test`; each does its own set-up.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= python3

.PHONY: setup test lint lint-workflows up down bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found " + sys.version.split()[0] + ")")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing omics-variant-import and its dev tools into $(VENV) ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

lint: setup lint-workflows
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

lint-workflows: setup
	$(VENV)/bin/actionlint
	$(VENV)/bin/zizmor --offline --quiet .github/workflows

test: lint
	$(VENV)/bin/pytest

PULUMI_MISSING = the Pulumi CLI is not on PATH (pip cannot install it); install it from https://www.pulumi.com/docs/iac/download-install/ and run make $@ again

up:
	$(if $(shell command -v pulumi),,$(error $(PULUMI_MISSING)))
	@$(MAKE) --no-print-directory setup
	$(PY) scripts/local_stack.py up

down:
	$(if $(shell command -v pulumi),,$(error $(PULUMI_MISSING)))
	@$(MAKE) --no-print-directory setup
	$(PY) scripts/local_stack.py down

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
