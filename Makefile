# Each target sets up what it needs in a local virtual environment (.venv).
# torch, when an extra pulls it in, is pinned to the CPU build by constraints.txt.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q -c constraints.txt

.PHONY: venv demo test test-all docs docs-full bench bench-smoke clean

venv:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)

demo: venv
	$(PIP) -e ".[plot]"
	$(PY) -m skactive compare

test: venv
	$(PIP) -e ".[test,bench,deep]"
	$(PY) -m pytest -n 2

test-all: venv
	$(PIP) -e ".[test,bench,deep]"
	$(PY) -m pytest -n 2 -m "slow or not slow"

# The HTML build also runs the example gallery (examples/), at a small size;
# docs-full runs it at full size. The doctest build reuses the gallery the
# HTML build just ran (sphinx-gallery skips unchanged examples).
docs: venv
	$(PIP) -e ".[docs,deep]"
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	$(PY) -m sphinx -W -q -b doctest docs docs/_build/doctest

docs-full: venv
	$(PIP) -e ".[docs,deep]"
	SKACTIVE_GALLERY_FULL=1 $(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: venv
	$(PIP) -e ".[test,bench,deep]"
	$(PY) -m pytest benchmarks --benchmark-only

# The benchmark code on tiny pools, timing off: checks that it still runs.
bench-smoke: venv
	$(PIP) -e ".[test,bench,deep]"
	SKACTIVE_BENCH_SCALE=0.02 $(PY) -m pytest benchmarks --benchmark-disable -q

clean:
	rm -rf $(VENV) build docs/_build docs/generated docs/auto_examples docs/sg_execution_times.rst .benchmarks
