# Heard: two commands on a fresh machine: `make run` (the service) and `make test` (the tests).
# Each makes its own virtual environment and installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench bench-nlu rasa rasa-down venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/heard run --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/heard lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/heard lint

bench: $(STAMP)
	$(BIN)/python -m bench

bench-nlu: $(STAMP)
	$(BIN)/python -m bench.nlu

rasa: $(STAMP)
	scripts/rasa-service.sh up

rasa-down:
	scripts/rasa-service.sh down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
