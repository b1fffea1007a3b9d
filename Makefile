# nianbao — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
DB := data/archive.db
# apt waits up to 10 min for the dpkg lock (an unattended upgrade or another install running is normal)
# instead of failing at once.
APT := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600

.PHONY: setup demo archive serve test lint bench clean browser redis distributed

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
	@mkdir -p $(dir $(DB))files
	$(BIN)/datasette serve $(DB) --metadata metadata.yml --template-dir archive/templates \
		--static files:$(dir $(DB))files --host 127.0.0.1 --port $(PORT)

demo: archive serve

# Debian's Chromium, its driver and a CJK font for tests/test_browser.py (real browser, never a tool's own
# download; without the font every Chinese character of the screenshots is a box); idempotent.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1 || \
		($(APT) update && $(APT) install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk)

test: setup browser redis
	$(BIN)/pytest

# Debian's redis-server for the scrapy-redis scale-out (tests start and stop their own on a free port); idempotent.
redis:
	@command -v redis-server >/dev/null || \
		($(APT) update && $(APT) install -y --no-install-recommends redis-server)

# WORKERS scrapy-redis crawlers sharing one frontier and dupefilter, one archive writer, a local Redis on
# 127.0.0.1:6390 started and stopped here (sample registry: sample portals on loopback too).
WORKERS ?= 2
distributed: setup redis
	$(BIN)/nianbao distributed --workers $(WORKERS) --registry sample --db $(DB)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup redis
	$(BIN)/python bench/search.py --n 100000 --bare-only
	$(BIN)/python bench/crawl.py

clean:
	rm -rf data/archive.db data/archive.db-wal data/archive.db-shm
