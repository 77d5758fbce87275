# The same commands run on a developer's machine and in CI (.ci/run calls `make test`).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install lint format typecheck pytest test run sandbox bench

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: install
	$(VENV)/bin/ruff check --fix src tests bench
	$(VENV)/bin/ruff format src tests bench

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

## The whole suite: lint, types, tests.
test: lint typecheck pytest

## The main job on the embedded default (SQLite; the built-in sandbox when NOTION_TOKEN is unset).
run: install
	$(VENV)/bin/syncbridge run

sandbox: install
	$(VENV)/bin/syncbridge sandbox
