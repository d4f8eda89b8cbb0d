# Both entry points create .venv on first use and reuse it afterwards.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo bench lint typecheck pytest clean devtools-server

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check rtkq tests benchmarks examples
	$(PY) -m ruff format --check rtkq tests benchmarks examples

typecheck: $(STAMP)
	$(PY) -m mypy --strict rtkq

# The DevTools browser tests drive Debian's Chromium (installed here on first use).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

$(CHROMIUM):
	$(APT_INSTALL) chromium || { $(SUDO) apt-get update -qq && $(APT_INSTALL) chromium; }

# npm ci of the pinned server before the tests (it takes minutes: longer than a test's
# timeout); the fixture only checks the stamp afterwards.
DEVTOOLS_SERVER := tests/devtools/server/node_modules/.rtkq-installed
$(DEVTOOLS_SERVER): tests/devtools/server/package-lock.json tests/devtools/server/react-umd.js $(STAMP)
	$(PY) tests/devtools/server/devtools_server.py --install

pytest: $(STAMP) $(CHROMIUM) $(DEVTOOLS_SERVER)
	$(PY) -m pytest --cov=rtkq --cov-report=term --cov-fail-under=90

test: lint typecheck pytest

# The posts server runs in-process on a free port (PORT=8000 to pick one) while
# examples/demo.py runs against it; it stops when the demo ends.
demo: $(STAMP)
	$(PY) examples/run_demo.py $(if $(PORT),--port $(PORT),) $(if $(DEVTOOLS),--devtools,)

# The Redux DevTools server on loopback (DEVTOOLS_PORT, default 8000) until Ctrl-C.
devtools-server: $(STAMP)
	$(PY) tests/devtools/server/devtools_server.py --port $(or $(DEVTOOLS_PORT),8000)

bench: $(STAMP)
	$(PY) -m benchmarks $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
