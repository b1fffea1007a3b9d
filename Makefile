# nianbao — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
DB := data/archive.db

.PHONY: setup demo archive serve test lint bench clean

# Creates the virtualenv and installs the project with its dev tools; re-runs when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Sample portals on loopback -> `scrapy crawl bureaus` -> data/archive.db, then exit.
archive: setup
	$(BIN)/nianbao build-archive --registry sample --db $(DB)

# Serve the existing archive with metadata.yml and the nianbao plugin (Chinese search) until Ctrl-C.
serve: setup
	@test -f $(DB) || { echo "no $(DB): run 'make archive' first"; exit 1; }
	$(BIN)/datasette serve $(DB) --metadata metadata.yml --host 127.0.0.1 --port $(PORT)

demo: archive serve

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/search.py

clean:
	rm -rf data/archive.db data/archive.db-wal data/archive.db-shm
