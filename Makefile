# Cadence: `make demo` to try it, `make test` to check everything. Both create .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Tests run in two processes (pytest-xdist); each has its own test database. PYTEST_WORKERS=0 runs them in one.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck test-sqlite test-postgres deploy-check chromium install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Cadence needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cadence demo

# Debian's chromium drives the browser tests (never a downloaded browser build); Debian's ffmpeg makes the
# tiny video they play.
chromium:
	@{ command -v chromium && command -v ffmpeg; } >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium ffmpeg; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

test-sqlite: $(STAMP) chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: $(STAMP) chromium
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Production mode must pass Django's deployment checks with no warning.
deploy-check: $(STAMP)
	CADENCE_HOME=$$(mktemp -d) SECRET_KEY=$$(head -c 48 /dev/urandom | base64) SITE_URL=https://cadence.example.org \
	  ALLOWED_HOSTS=cadence.example.org $(BIN)/cadence check --deploy --fail-level WARNING
	CADENCE_HOME=$$(mktemp -d) $(BIN)/cadence makemigrations --check --dry-run

test: lint typecheck deploy-check test-sqlite test-postgres

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
