# The CNN Book. `make book` builds the HTML; `make test` runs every check.
# Both set up .venv from the pinned requirements.txt on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# Parallel pytest workers (the CI machine has 2 cores).
JOBS ?= 2
# Chapters that `make notebooks` executes (default: those out of date).
CHAPTERS ?=
FORCE ?=
export PYTHONHASHSEED := 0
# Keep Jupyter's per-user state inside the repository's venv.
export JUPYTER_CONFIG_DIR := $(CURDIR)/$(VENV)/etc/jupyter-config

NBVAL_FLAGS := --nbval --nbval-current-env \
	--nbval-sanitize-with tests/nbval_sanitize.cfg \
	--nbval-cell-timeout=900 -p no:cacheprovider

.PHONY: help venv lint unit pairs nbval vendor book book-strict browser \
	test notebooks lab clean distclean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check \
	  -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check \
	  --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)  ## Create .venv and install the pinned requirements

lint: $(STAMP)  ## ruff check and ruff format --check (package, tests, tools)
	$(BIN)/ruff check cnnbook tests tools book/_ext
	$(BIN)/ruff format --check cnnbook tests tools book/_ext

unit: $(STAMP)  ## Unit tests of cnnbook (numpy vs torch, worked examples)
	$(PY) -m pytest -q -n $(JOBS) -m "not browser" tests
	# the >>> examples in cnnbook's docstrings
	$(PY) -m pytest -q --doctest-modules -p no:cacheprovider cnnbook

pairs: $(STAMP)  ## Each chapter .md and .ipynb hold the same, executed cells
	$(PY) tools/check_notebooks.py

nbval: $(STAMP)  ## Re-execute every chapter and compare with stored outputs
	$(PY) -m pytest $(NBVAL_FLAGS) -n $(JOBS) --dist loadfile chapters

vendor: $(STAMP)  ## Unpack MathJax and the widget manager (offline HTML)
	$(PY) tools/vendor_js.py

book: $(STAMP) vendor  ## Build the HTML book into _build/html
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

book-strict: $(STAMP) vendor  ## Build from scratch, every warning an error
	$(BIN)/jupyter-book build . --all -W -n --keep-going

browser: $(STAMP)  ## Open the built pages in headless Chromium
	$(PY) tools/run_browser_tests.py

test: lint unit pairs nbval book-strict browser  ## Every check CI runs
	@if [ -f _build/browser-checks-skipped ]; then \
	  echo "make test: all checks passed EXCEPT the browser checks," \
	    "which were SKIPPED: $$(cat _build/browser-checks-skipped)"; \
	else echo "make test: all checks passed"; fi

notebooks: $(STAMP)  ## Execute chapters whose source changed (FORCE=1: all)
	$(PY) tools/execute_notebooks.py $(if $(FORCE),--force) $(CHAPTERS)

# JupyterLab refuses to run as root unless told to (containers, Binder-like
# machines); pass LAB_FLAGS to add your own options.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)  ## JupyterLab, chapters opening as notebooks
	$(BIN)/jupytext-config set-default-viewer markdown myst >/dev/null
	$(BIN)/jupyter lab $(LAB_FLAGS) chapters

clean:  ## Remove the built book and caches
	rm -rf _build book/_vendor .pytest_cache .hypothesis .ruff_cache

distclean: clean  ## Also remove .venv and the downloaded JavaScript
	rm -rf $(VENV) .vendor-cache
