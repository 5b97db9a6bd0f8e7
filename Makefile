# dabs: the two commands a fresh clone needs are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEAL ?= qingdao-pure

.PHONY: demo test bench lint fmt typecheck pytest browser-deps screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# System packages for the real-browser test (Debian chromium; libatomic1 for playwright's driver).
browser-deps:
	@bash .ci/browser-deps.sh

demo: $(STAMP)
	$(BIN)/dabs demo $(DEAL)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The deal-library tests also run on a real PostgreSQL: .ci/with-postgres.sh starts a throwaway
# cluster (installing Debian's postgresql if missing), runs pytest, and stops it.
pytest: $(STAMP) browser-deps
	bash .ci/with-postgres.sh $(BIN)/python -m pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	bash .ci/with-postgres.sh $(BIN)/python -m pytest tests/benchmarks -q -o addopts="" --benchmark-only --benchmark-columns=min,median,mean,rounds

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: $(STAMP) browser-deps
	DABS_SCREENSHOTS=$(CURDIR)/docs/images $(BIN)/python -m pytest -q -m browser tests/ui

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
