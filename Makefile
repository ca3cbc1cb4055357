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

.PHONY: help venv lint unit sweep pairs nbval vendor book book-strict browser \
	test notebooks lab lab-test clean distclean

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
	$(PY) -m pytest -q -n $(JOBS) -m "not browser and not lab" tests
	# the >>> examples in cnnbook's docstrings
	$(PY) -m pytest -q --doctest-modules -p no:cacheprovider cnnbook

sweep: $(STAMP)  ## Only the sweep of bad input, with counts by module
	$(PY) -m pytest -q -n $(JOBS) -m sweep tests/sweep

pairs: $(STAMP)  ## Each chapter .md and .ipynb hold the same, executed cells
	$(PY) tools/check_notebooks.py

# Executions without a person watching show no progress bars (the
# Trainer's bar leaves nothing in the outputs anyway; see its _Progress).
notebooks nbval: export CNNBOOK_PROGRESS := 0

# Longest chapters first (tools/nbval_order.py), in that order, so that
# neither worker is left running one long chapter alone at the end.
nbval: $(STAMP)  ## Re-execute chapters (CHAPTERS=NN_slug: some), compare
	$(PY) -m pytest $(NBVAL_FLAGS) -n $(JOBS) --dist loadfile \
	  --no-loadscope-reorder $(if $(CHAPTERS),\
	  $(patsubst %,chapters/%.ipynb,$(CHAPTERS)),\
	  $(shell $(PY) tools/nbval_order.py))

vendor: $(STAMP)  ## Unpack MathJax and the widget manager (offline HTML)
	$(PY) tools/vendor_js.py

# The book is built only from chapter notebooks that pass `make pairs`:
# executed by `make notebooks`, not changed since (JupyterLab's saves
# included). Its failures say how to return to the committed files.
book: $(STAMP) pairs vendor  ## Build the HTML book into _build/html
	$(BIN)/jupyter-book build . --keep-going
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

book-strict: $(STAMP) pairs vendor  ## Build from scratch, warnings are errors
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

# JupyterLab. The server's root is the repository, so that jupytext reads
# jupytext.toml: a chapter's .md opens as a notebook with the outputs of
# its .ipynb, and saving writes both. It opens on chapters/, listens on
# 127.0.0.1 only, and uses tools/lab/lab_contents.py, which shows glued
# numbers, citations and references as the HTML does (and restores the
# roles before saving). tools/lab/overrides.json: .md files open as
# notebooks, no autosave (a file changes only when you save it), no
# "Jupyter news" question. JupyterLab refuses to run as root unless told
# to (containers, Binder-like machines); LAB_FLAGS adds your own options.
LAB_PORT ?= 8888
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
lab: $(STAMP)  ## JupyterLab on the chapters (LAB_PORT, LAB_FLAGS)
	install -D -m 644 tools/lab/overrides.json $(LAB_SETTINGS)/overrides.json
	PYTHONPATH=$(CURDIR)/tools/lab$${PYTHONPATH:+:$$PYTHONPATH} \
	  $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) \
	  --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	  --ServerApp.contents_manager_class=lab_contents.BookContentsManager \
	  --LabApp.default_url=/lab/tree/chapters $(LAB_FLAGS)

lab-test: $(STAMP)  ## Drive `make lab` in Chromium: open, run a chapter
	$(PY) -m pytest -m lab -q -rs -s -p no:cacheprovider -p no:xdist tests/lab

clean:  ## Remove the built book and caches
	rm -rf _build book/_vendor .pytest_cache .hypothesis .ruff_cache

distclean: clean  ## Also remove .venv and the downloaded JavaScript
	rm -rf $(VENV) .vendor-cache
