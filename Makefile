# Two entry points for a fresh machine: `make maps` and `make test`.
#
# `make maps` installs only what running brecha needs; `make test` adds the
# dev extras (pytest, Playwright, notebooks, ruff, mypy) on top. Each install
# has its own stamp, so `make test` after `make maps` only adds the extras.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN    := $(VENV)/.brecha-run
DEV    := $(VENV)/.brecha-dev

.PHONY: maps test test-slow lint bench bench-smoke embed clean

$(RUN): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e .
	touch $@

$(DEV): $(RUN)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

## Build every layer and map from the embedded default data into outputs/
maps: $(RUN)
	$(BIN)/brecha build

## Lint and type-check the package, then run the test suite but the tests marked slow, on
## TEST_WORKERS processes (pytest-xdist; worksteal evens out the long browser and notebook tests).
## Installs Debian's chromium for the browser tests if missing.
TEST_WORKERS ?= 2
test: $(DEV)
	$(BIN)/ruff check src
	$(BIN)/mypy src/brecha
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not slow"

## The tests marked slow (fault loops, the benchmark smoke run), one at a time: CI runs them after `make test`
test-slow: $(DEV)
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest -m slow

## Only the static checks
lint: $(DEV)
	$(BIN)/ruff check src
	$(BIN)/mypy src/brecha

## Benchmarks against peers; writes benchmarks/RESULTS.md
bench: $(DEV)
	$(BIN)/python -m benchmarks

bench-smoke: $(DEV)
	$(BIN)/python -m benchmarks --smoke

## Rebuild the embedded data from full-size files (maintainers): make embed SRC=path/to/data
embed: $(RUN)
	$(BIN)/python -m brecha.sources._embed $(SRC)

clean:
	rm -rf $(VENV) outputs/layers outputs/maps outputs/rasters outputs/manifest.json outputs/brecha.duckdb
