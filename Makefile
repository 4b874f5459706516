# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs what it needs on first use (and again when
# pyproject.toml changes), including Graphviz's `dot` program.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench docs-figures dot setup clean

demo: setup dot
	$(BIN)/python -m autodiff demo heart

test: setup dot lint typecheck pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,plot,fast]'
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

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy autodiff nn

# Hypothesis profile "ci" (tests/conftest.py) unless HYPOTHESIS_PROFILE says otherwise.
pytest: setup dot
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/python -m pytest

docs-figures: setup dot
	$(BIN)/python docs/make_figures.py
	$(BIN)/python docs/make_course_figures.py

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
