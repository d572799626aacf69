# Heard: two commands on a fresh machine: `make run` (the service) and `make test` (the tests).
# Each makes its own virtual environment and installs what it needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := lock/heard.txt
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench bench-nlu rasa rasa-down venv lock clean

# Installs exactly the locked versions (lock/heard.txt), so every machine runs the same set.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e '.[dev]'
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

# Re-resolves pyproject.toml's ranges in a throwaway venv and writes the new pins.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	{ sed -n '1,3p' $(LOCK); .lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e'; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
