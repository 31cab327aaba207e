# Two entry points for a fresh machine: `make maps` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.brecha-installed

.PHONY: maps test bench bench-smoke embed clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $@

## Build every layer and map from the embedded default data into outputs/
maps: $(STAMP)
	$(BIN)/brecha build

## Run the whole test suite (installs Debian's chromium for the browser tests if missing)
test: $(STAMP)
	bash scripts/ensure-chromium
	$(BIN)/python -m pytest

## Benchmarks against peers; writes benchmarks/RESULTS.md
bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks --smoke

## Rebuild the embedded data from full-size files (maintainers): make embed SRC=path/to/data
embed: $(STAMP)
	$(BIN)/python -m brecha.sources._embed $(SRC)

clean:
	rm -rf $(VENV) outputs/layers outputs/maps outputs/rasters outputs/manifest.json outputs/brecha.duckdb
