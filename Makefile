# gvckit front door: `make demo` and `make test` set up .venv/ themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean dist docs serve

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "gvckit needs Python >= 3.11 (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gvckit demo

serve: $(STAMP)
	$(BIN)/gvckit serve --data-dir gvckit-data --example

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

test: lint
	$(BIN)/pytest -W error

docs: $(STAMP)
	$(BIN)/python docs/generate.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m twine check --strict dist/*
	$(BIN)/pytest -q -m wheel

bench: $(STAMP)
	$(BIN)/python benchmarks/goals.py
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/panel.py
	$(BIN)/python benchmarks/portfolio.py
	$(BIN)/python benchmarks/scale.py
	$(BIN)/python benchmarks/web.py

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
