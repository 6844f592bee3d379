# The README's two commands: `make demo` and `make test`. Everything installs from here.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup manifest browser postgres java demo test ui bench clean

setup: $(STAMP) manifest

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,spark]"
	rm -f $(VENV)/.installed-*
	touch $@

# prebuilt dbt manifest, so loading the Dagster definitions never has to parse the project; parsed with
# the profile every refresh gives dbt (the build warehouse by its file name: pipeline/paths.py), so dbt
# reuses this parse in every refresh. Then every model's column schema and column lineage, computed once
# from it (dbt compile against an empty warehouse, sqlglot) and kept beside it, keyed by its content, for
# the Dagster definitions (pipeline/column_lineage.py)
manifest: $(STAMP)
	cd dbt_project && PIPELINE_BUILD_DB=build.duckdb ../$(BIN)/dbt parse --profiles-dir . --quiet
	$(BIN)/python -m pipeline.column_lineage

demo: setup
	$(BIN)/pipeline generate --out data/inbox --las 3 --months 36
	$(BIN)/pipeline refresh --inbox data/inbox --warehouse data/warehouse.duckdb
	$(BIN)/pipeline scorecard --warehouse data/warehouse.duckdb

# Debian's headless Chromium, which the report tests open the scorecard in (tests/report/); CI runs as root
browser:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
		|| { echo "install Debian's chromium package (as root: make browser) for the report tests"; exit 1; }

# Debian's PostgreSQL server, which the Postgres publishing tests start a throwaway cluster of (tests/postgres/)
postgres:
	@test -x /usr/lib/postgresql/15/bin/initdb || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15; } \
		|| { echo "install Debian's postgresql-15 package (as root: make postgres) for the Postgres tests"; exit 1; }

# Debian's headless JDK 17: the JVM of the Spark engine (`pipeline refresh --engine spark`, tests/spark/)
java:
	@command -v java >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; } \
		|| { echo "install Debian's openjdk-17-jre-headless package (as root: make java) for the Spark engine"; exit 1; }

test: setup browser postgres java
	$(BIN)/pytest -q

# speed figures (README "Benchmarks"): generation, a bare DuckDB scan and a full refresh of one
# average-sized synthetic LA; e.g. `make bench BENCH="--scale region --jobs 2"` for more, and
# `make bench BENCH="--engine spark"` to time the refresh on Spark beside DuckDB's
bench: setup $(if $(findstring spark,$(BENCH)),java)
	$(BIN)/pipeline bench $(BENCH)

ui: setup
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml  # one run writing the warehouse at a time (run queue)
	$(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf data dbt_project/target dbt_project/logs .dagster_home
