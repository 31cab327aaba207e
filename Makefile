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

.PHONY: maps test lint bench bench-smoke embed clean

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

## Lint and type-check the package, then run the whole test suite
## (installs Debian's chromium for the browser tests if missing)
test: $(DEV)
	$(BIN)/ruff check src
	$(BIN)/mypy src/brecha
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest

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
