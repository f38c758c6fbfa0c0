# distlab — the two commands that do everything on a fresh machine:
#   make lab    start the course (JupyterLab on notebooks/, embedded engines, nothing to set up)
#   make test   run every test: lint and type check first, then unit, property, widget, service,
#               notebook (nbval + papermill), browser
# and for maintainers:
#   make lint       ruff (lint only, never reformats) and mypy, as make test runs them
#   make bench      print every benchmark figure as `bench <name> <value> <unit>`
#   make notebooks  re-execute every notebook and rewrite its stored outputs
#   make grade NB="submission.ipynb ..."   the headless grader

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_NB := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: install lab lint test test-fast bench notebooks grade constraints clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	@touch $(STAMP)

lab: install
	@$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1 || true
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.allow_root=True \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  --ServerApp.default_url=/lab/tree/01_consistency_ladder.ipynb

lint: install
	$(BIN)/ruff check --no-cache lib tests benchmarks tools
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest $(PYTEST_NB) tests notebooks

test-fast: install
	$(BIN)/python -m pytest -m "not browser" tests

bench: install
	$(BIN)/python benchmarks/run.py

notebooks: install
	$(BIN)/python tools/run_notebooks.py notebooks/*.ipynb

grade: install
	$(BIN)/python -m distlab.grading $(NB)

constraints: install
	@{ head -2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^distlab'; } > constraints.new
	@mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache artifacts
