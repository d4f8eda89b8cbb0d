# Both entry points create .venv on first use and reuse it afterwards.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo bench lint typecheck pytest clean

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

pytest: $(STAMP)
	$(PY) -m pytest --cov=rtkq --cov-report=term --cov-fail-under=90

test: lint typecheck pytest

# The posts server runs in-process on a free port (PORT=8000 to pick one) while
# examples/demo.py runs against it; it stops when the demo ends.
demo: $(STAMP)
	$(PY) examples/run_demo.py $(if $(PORT),--port $(PORT),)

bench: $(STAMP)
	$(PY) -m benchmarks $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
