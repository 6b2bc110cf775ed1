# `make run` and `make test` set everything up on a fresh clone (Python 3.11+ and make).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast test-e2e chromium lint install migrate clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) cli.py migrate

run: install
	$(PY) main.py

# the non-browser suite waits on sockets, subprocesses and databases more than it computes: 4 processes
# (TEST_WORKERS=0 runs it in one); each process has its own SQLite files and PostgreSQL schemas
TEST_WORKERS ?= 4

test: install chromium
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadscope
	$(PY) -m pytest tests/e2e -o addopts="" -q -p no:cacheprovider

# everything but the browser suite
test-fast: install
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadscope

test-e2e: install chromium
	$(PY) -m pytest tests/e2e -o addopts="" -q -p no:cacheprovider

chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "$$CHROMIUM_PATH" ] || { \
	  echo "The browser tests need Chromium: 'sudo apt-get install chromium' (Debian/Ubuntu)," ; \
	  echo "or '$(VENV)/bin/playwright install chromium' and CHROMIUM_PATH=<its chrome binary>." ; exit 1; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy infra domain runtime integrations api pages main.py cli.py
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
