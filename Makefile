# The README's two commands are `make up` and `make test`; each does its own set-up.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= python3

# uv installs .venv from uv.lock. When it is not on PATH, pip installs this pinned uv into a
# private venv inside the project (git-ignored), never into the user's environment.
UV_BOOTSTRAP := .tools
UV_VERSION   := 0.13.9
UV_ON_PATH   := $(shell command -v uv 2>/dev/null)
UV           := $(or $(UV_ON_PATH),$(UV_BOOTSTRAP)/bin/uv)

REQUIRE_PYTHON := $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found " + sys.version.split()[0] + ")")'

# Run a command with its output captured; show the output only if the command fails.
QUIETLY := sh -c 'out=$$("$$@" 2>&1) || { status=$$?; printf "%s\n" "$$out" >&2; exit $$status; }' quietly

.PHONY: setup lock test test-under-load test-floors release-check lint lint-workflows up down bench clean

setup: $(STAMP)
	@:  # quiet when up to date

$(STAMP): pyproject.toml uv.lock | $(UV)
	@$(REQUIRE_PYTHON)
	@echo "installing omics-variant-import and its dev tools into $(VENV) from uv.lock ..."
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(QUIETLY) $(UV) sync --locked --python $(PYTHON)
	@touch $(STAMP)

$(UV_BOOTSTRAP)/bin/uv:
	@$(REQUIRE_PYTHON)
	@echo "uv is not on PATH: installing uv $(UV_VERSION) into $(UV_BOOTSTRAP) ..."
	@$(QUIETLY) $(PYTHON) -m venv $(UV_BOOTSTRAP)
	@$(QUIETLY) $(UV_BOOTSTRAP)/bin/pip install --disable-pip-version-check uv==$(UV_VERSION)

# After changing dependencies in pyproject.toml: update uv.lock (commit it with the change).
lock: | $(UV)
	$(UV) lock

lint: setup lint-workflows
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

EXAMPLE_WORKFLOWS := examples/own-infra-repo/.github/workflows

lint-workflows: setup
	$(VENV)/bin/actionlint
	$(VENV)/bin/actionlint $(EXAMPLE_WORKFLOWS)/*.yml
	$(VENV)/bin/zizmor --offline --quiet .github/workflows $(EXAMPLE_WORKFLOWS)

# Most tests wait on servers and clocks, not the CPU: two pytest-xdist workers per core, at most 8.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(8, 2 * (os.cpu_count() or 1)))')

test: lint
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

# The suite three times in a row with every core kept busy by a loop (CONTRIBUTING.md).
test-under-load: lint
	scripts/test_under_load.sh $(VENV)/bin/pytest -n $(TEST_WORKERS)

# The suite with every direct dependency at the floor pyproject.toml allows (uv's lowest-direct
# resolution), in its own virtualenv: the ranges a user installs from must be true.
FLOORS_VENV := .venv-floors

test-floors: setup
	@rm -rf $(FLOORS_VENV)
	@$(QUIETLY) $(UV) venv --python $(PYTHON) $(FLOORS_VENV)
	@echo "installing the lowest versions pyproject.toml allows into $(FLOORS_VENV) ..."
	@VIRTUAL_ENV=$(FLOORS_VENV) $(QUIETLY) $(UV) pip install --resolution lowest-direct -e . --group dev
	$(FLOORS_VENV)/bin/pytest -n $(TEST_WORKERS)

# Build the wheel and sdist, check them, install the wheel into a fresh virtualenv and run the
# example infrastructure repo's tests, plan and verify with it, outside this tree.
release-check: setup
	UV=$(abspath $(UV)) $(PY) scripts/release_check.py

PULUMI_MISSING = the Pulumi CLI is not on PATH (pip cannot install it); install it from https://www.pulumi.com/docs/iac/download-install/ and run make $@ again

# Pulumi's `toolchain: uv` runs `uv` from PATH: scripts/local_stack.py puts $UV's folder there.
up down: export UV := $(abspath $(UV))

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
	rm -rf $(VENV) $(FLOORS_VENV) $(UV_BOOTSTRAP) .mypy_cache .ruff_cache .pytest_cache *.egg-info
