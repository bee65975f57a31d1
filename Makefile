# Two set-up-free entry points: `make build` and `make test`; both create .venv/ on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: build test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(VENV)/bin/kg build corpus --out build

test: $(STAMP)
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check kg tests benchmarks
	$(VENV)/bin/ruff format --check kg tests benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf build $(VENV)
