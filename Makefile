# The README's two commands: `make demo` and `make test`. Everything installs from here.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup manifest demo test ui bench clean

setup: $(STAMP) manifest

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# prebuilt dbt manifest, so loading the Dagster definitions never has to parse the project
manifest: $(STAMP)
	cd dbt_project && PIPELINE_BUILD_DB=../data/parse.duckdb ../$(BIN)/dbt parse --profiles-dir . --quiet

demo: setup
	$(BIN)/pipeline generate --out data/inbox --las 3 --months 36
	$(BIN)/pipeline refresh --inbox data/inbox --warehouse data/warehouse.duckdb
	$(BIN)/pipeline scorecard --warehouse data/warehouse.duckdb

test: setup
	$(BIN)/pytest -q

ui: setup
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf data dbt_project/target dbt_project/logs .dagster_home
