"""What the refresh's dbt step does around the invocation (pipeline/runtime/dbt_build.py): the environment
dbt inherits, only while the build runs; dbt's output into the log; run_results kept beside the warehouse
whether the build passed or failed; a failed build's error naming the log and the compiled SQL. The
real build through it is tests/defs/test_refresh.py (and tests/spark/test_engines.py for Spark)."""

import json
import os

import pytest
from dagster_dbt import DagsterDbtCliRuntimeError

from pipeline.paths import build_path_for, dbt_run_results_path, dbt_target_path
from pipeline.runtime.dbt_build import prepared_build


def test_dbt_s_environment_holds_only_while_the_build_runs_and_its_output_goes_to_the_log(tmp_path, monkeypatch):
    warehouse = tmp_path / "w.duckdb"
    monkeypatch.setenv("PIPELINE_DUCKDB_MEMORY_LIMIT", "3GB")  # the user's, as the caller's environment had it
    monkeypatch.delenv("PIPELINE_BUILD_DB", raising=False)
    before = dict(os.environ)
    log = tmp_path / "dbt.log"
    with prepared_build(build_path_for(warehouse), warehouse, "duckdb", "1GB", str(log)) as build:
        inside = dict(os.environ)
        print("a line dagster-dbt echoes")
        build.target_path.mkdir(parents=True)
        (build.target_path / "run_results.json").write_text('{"results": []}')
    assert os.environ == before
    assert (inside["PIPELINE_BUILD_DB"], inside["PIPELINE_BUILD_DIR"]) == ("build.duckdb", str(build_path_for(warehouse).parent))
    assert inside["PIPELINE_DUCKDB_MEMORY_LIMIT"] == "1GB" and inside["PIPELINE_REFRESH_PID"] == str(os.getpid())
    assert inside["DBT_LOG_LEVEL_FILE"] == "none"
    assert build.args == ["build", "--exclude-resource-type", "unit_test"] and build.target_path == dbt_target_path(warehouse)
    assert log.read_text() == "a line dagster-dbt echoes\n"
    assert json.loads(dbt_run_results_path(warehouse).read_text()) == {"results": []}


def test_a_failed_build_keeps_its_run_results_and_says_where_the_log_and_compiled_sql_are(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    before = dict(os.environ)
    stale = dbt_target_path(warehouse) / "compiled" / "from_the_previous_build.sql"
    stale.parent.mkdir(parents=True)
    stale.write_text("select 1")
    with pytest.raises(RuntimeError) as raised:
        with prepared_build(build_path_for(warehouse), warehouse, "duckdb", "2GB", str(tmp_path / "dbt.log")) as build:
            assert not stale.exists()  # the previous build's folder is replaced, not mixed with this one
            build.target_path.mkdir(parents=True)
            (build.target_path / "run_results.json").write_text('{"results": ["error"]}')
            raise DagsterDbtCliRuntimeError(description="Database Error in model fct_x")  # as dagster-dbt ends a failed stream
    assert str(raised.value) == (f"dbt build failed: Database Error in model fct_x (full log: {tmp_path / 'dbt.log'}); "
                                 f"compiled SQL in {dbt_target_path(warehouse)}")
    assert json.loads(dbt_run_results_path(warehouse).read_text()) == {"results": ["error"]}
    assert os.environ == before
