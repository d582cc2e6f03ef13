# Two commands do all the set-up on a fresh machine:
#   make demo   installs into .venv and runs the demo (simulator stores -> Dagster -> DuckDB)
#   make test   installs into .venv and runs the test suite (CI runs exactly this)
PYTHON ?= python3
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export COMMERCE_HOME ?= $(CURDIR)/.commerce_home
export DAGSTER_HOME ?= $(COMMERCE_HOME)/dagster_home
# DbtCliResource looks for `dbt` on PATH when definitions load.
export PATH := $(BIN):$(PATH)

.PHONY: install prepare demo test dev validate clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The dbt manifest is generated, never committed. dagster-dbt copies this parse
# (target/partial_parse.msgpack) into a new tenant's dbt target folder, and every DuckDB tenant
# runs dbt with no --vars and the same profile values, so none re-parses the project.
prepare: install
	cd dbt_project && $(BIN)/dbt parse --profiles-dir . --quiet

demo: prepare
	$(BIN)/commerce-pipeline demo

# Two workers: most tests wait on dbt and simulator subprocesses, so two run side by side.
# --dist loadfile keeps a module's tests on one worker, so a store a module builds once
# (a module-scoped fixture) is not built again on the other worker.
test: prepare
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadfile

validate: prepare
	$(BIN)/dagster definitions validate -m commerce_pipeline.definitions

dev: prepare
	mkdir -p "$(DAGSTER_HOME)"
	$(BIN)/commerce-pipeline init
	$(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) .commerce_home dbt_project/target dbt_project/logs
