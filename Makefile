# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs on first use (and again when
# pyproject.toml changes), including Graphviz's `dot` program.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest pytest-numpy-baseline bench docs docs-figures dot browser setup clean

demo: setup dot
	$(BIN)/autodiff demo heart

test: setup dot lint typecheck pytest pytest-numpy-baseline

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,testing,plot,fast,docs]'
	@# The PyTorch reference tests use a CPU build; without it they are skipped.
	$(BIN)/python -m pip install --quiet 'torch==2.13.0' \
		|| echo "note: torch==2.13.0 could not be installed; PyTorch comparison tests will be skipped"
	touch $(STAMP)

dot:
	@command -v dot >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; \
		else \
			echo "Graphviz's 'dot' program is missing: install the package 'graphviz' (e.g. sudo apt-get install graphviz)"; \
			exit 1; \
		fi; }

# The interactive page's tests drive a real headless Chromium (with selenium, from the dev
# extra). Without it they are skipped, each saying why.
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
		else \
			echo "note: Chromium is missing, so the page's browser tests will be skipped: install the packages 'chromium' and 'chromium-driver' (e.g. sudo apt-get install chromium chromium-driver)"; \
		fi; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy autodiff nn

# Hypothesis profile "ci" (tests/conftest.py) unless HYPOTHESIS_PROFILE says otherwise.
pytest: setup dot browser
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest

# numpy picks SIMD kernels for the CPU, and they differ in the last bits. The pages and the
# course run again on numpy's baseline kernels, so that a printed number that depends on them
# fails here and not on another machine (tests/helpers/numpy_dispatch.py lists what to disable).
NUMPY_DEPENDENT_TESTS := tests/docs/test_docs.py tests/helpers/pages.py \
	tests/docs/test_nn_docs.py tests/docs/test_render_docs.py tests/docs/test_notebooks.py \
	$(wildcard tests/docs/test_course_*.py)

pytest-numpy-baseline: setup dot
	@features="$$(NPY_DISABLE_CPU_FEATURES= $(BIN)/python tests/helpers/numpy_dispatch.py)"; \
	if [ -z "$$features" ]; then \
		echo "numpy runs its baseline kernels on this machine: no second run needed"; \
	else \
		echo "the docs and course again, with NPY_DISABLE_CPU_FEATURES=\"$$features\""; \
		NPY_DISABLE_CPU_FEATURES="$$features" HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} \
			$(BIN)/python -m pytest -q -p no:cacheprovider $(NUMPY_DEPENDENT_TESTS); \
	fi

# The pages of docs/ and the API reference as a site, at http://127.0.0.1:8000 (mkdocs.yml).
docs: setup dot
	$(BIN)/mkdocs serve

docs-figures: setup dot browser
	$(BIN)/python docs/make_figures.py
	$(BIN)/python docs/make_course_figures.py
	$(BIN)/python docs/make_explore_figures.py

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out site .pytest_cache .mypy_cache .ruff_cache .hypothesis
