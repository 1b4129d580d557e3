# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` serves the API: make run PORT=8080, make run HOST=0.0.0.0 (every interface).
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint fmt bench clean migration

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# The demo bakery numbers its pallets from GS1 company prefix 0614141 and works on Springfield, Illinois time;
# a plant sets its own in the environment (README: Configuration).
run: export LOTLEDGER_GS1_PREFIX ?= 0614141
run: export LOTLEDGER_TIMEZONE ?= America/Chicago
run: $(VENV)/.installed
	@test -f lotledger.db || $(BIN)/lotledger demo --recent
	@echo "Open http://$(HOST):$(PORT) and log in as floor (an operator), qa (quality) or demo (an admin),"
	@echo "each with the password demo-plant."
	@echo "The API is at http://$(HOST):$(PORT)/api/v1 (docs: /api/v1/docs); an API token for curl:"
	-@$(BIN)/lotledger token create demo --name make-run
	@echo "Try: curl -H 'Authorization: Bearer <token>' 'http://$(HOST):$(PORT)/api/v1/lots/trace?item=BREAD-W&lot=W-0001'"
	$(BIN)/lotledger serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

fmt: $(VENV)/.dev-installed
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/run.py

# make migration m="add a column" id=0005: autogenerate a revision from storage/schema.py
migration: $(VENV)/.dev-installed
	$(BIN)/python -c 'from lotledger.storage.migrate import new_revision; new_revision("$(m)", "$(id)")'

clean:
	rm -rf $(VENV) lotledger.db lotledger.db-wal lotledger.db-shm
