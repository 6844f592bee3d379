"""The not_null_columns generic test (dbt_project/tests/generic/not_null_columns.sql): one test per
model standing for a not_null test per column, so it must fail exactly when one of its columns
holds a null, and say which columns and how many rows."""

import json

import duckdb

from tests.dbt.dbt_cli import run_dbt


def outcome(tmp_path, rows: list[tuple]) -> tuple[str, int, list]:
    """dbt test of stg_population's not_null_columns on a table holding `rows`: status, failures, and
    the failing rows dbt stored (column_name, null_rows)."""
    db = tmp_path / "build.duckdb"
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db)) as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_population (la_code varchar, year integer, population_0_17 integer)")
        con.executemany("insert into staging.stg_population values (?, ?, ?)", rows)
    run_dbt(db, tmp_path, "test", "--select", "not_null_stg_population", "--store-failures", check=False)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    result = next(r for r in results if r["unique_id"].startswith("test."))  # not the on-run-start hook
    with duckdb.connect(str(db), read_only=True) as con:
        failing = con.execute("select column_name, null_rows from dbt_test__audit.not_null_stg_population "
                              "order by 1").fetchall()
    return result["status"], result["failures"], failing


def test_passes_when_no_column_holds_a_null(tmp_path):
    assert outcome(tmp_path, [("E09000001", 2024, 1000), ("E09000002", 2024, 2000)]) == ("pass", 0, [])


def test_fails_with_each_column_holding_nulls_and_its_null_rows(tmp_path):
    rows = [("E09000001", 2024, None), (None, 2024, None), ("E09000003", 2024, 5), ("E09000004", 2025, None)]
    assert outcome(tmp_path, rows) == ("fail", 2, [("la_code", 1), ("population_0_17", 3)])
