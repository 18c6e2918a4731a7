# One place for the project's commands. `make demo` and `make test` are the README's two.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint bench install install-dev browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

## the main job on a fresh machine: install, generate, ingest, profile, report
demo: install
	$(BIN)/memberlens demo

## Chromium and a Chinese font for the browser tests (Debian packages; needs root, else skipped)
browser:
	@if command -v dpkg >/dev/null 2>&1 && dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "chromium not installed: browser tests will be skipped"; fi

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

## every test, slow and browser ones included
test: install-dev browser lint
	$(BIN)/pytest -q

test-fast: install-dev
	$(BIN)/pytest -q -m "not slow and not browser"

bench: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py
	$(BIN)/python bench/tags_bench.py
	$(BIN)/python bench/clv_models_bench.py
	$(BIN)/python bench/models_bench.py
	$(BIN)/python bench/audience_bench.py
	$(BIN)/python bench/recommend_bench.py
	$(BIN)/python bench/recommend_public.py

clean:
	rm -rf $(VENV) memberlens-demo memberlens.duckdb .pytest_cache .mypy_cache .ruff_cache
