"""The indicator layer on Spark: `pipeline refresh --engine spark` builds the same dbt project with
dbt-spark (a local PySpark session on Java 17) and publishes what the DuckDB engine publishes.

One small synthetic inbox (2 demo LAs, 30 months) is refreshed once per engine by the module
fixture, through the real CLI, with a distinctive salt. Each Spark refresh starts one JVM and
runs every dbt seed, model and data test on it, so this module takes minutes: it is
marked `slow` (deselect with -m "not slow" while iterating; `make test` runs it).
"""

import math
import re

import duckdb
import pytest

from pipeline.cli import main
from pipeline.generate import generate_inbox
from pipeline.paths import DBT_PROJECT_DIR, build_path_for, dbt_target_path
from pipeline.pseudonyms import DEMO_SALT
from pipeline.runtime.spark_handoff import java_available, workdir_for

pytestmark = pytest.mark.slow

SALT = "salt-only-in-the-environment-7f3a9c"
# what a publication stamps with its own run (run_id and every timestamp: published_at,
# started_at, first_published_at, ...), which differs between any two refreshes


def run_stamp(column: str, data_type: str) -> bool:
    return column == "run_id" or data_type.startswith("TIMESTAMP")


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    if not java_available():
        pytest.fail("Java 17 is missing: run `make java` (make test does)")
    work = tmp_path_factory.mktemp("engines")
    inbox = work / "inbox"
    generate_inbox(inbox, n_las=2, months=30, seed=7)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PIPELINE_PSEUDONYM_SALT", SALT)
        results = {}
        for engine in ("duckdb", "spark"):
            warehouse = work / engine / "warehouse.duckdb"
            results[engine] = (main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse),
                                     "--engine", engine]), warehouse)
    return results


def published_tables(con, db: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = ? and table_schema = 'published' order by table_name, ordinal_position", [db]
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_both_engines_refresh_and_publish(warehouses):
    for engine, (code, warehouse) in warehouses.items():
        assert code == 0, f"{engine} refresh exited {code}"
        with duckdb.connect(str(warehouse), read_only=True) as con:
            statuses = con.execute("select distinct status from published.publications").fetchall()
        assert statuses == [("published",)], engine


def test_every_published_table_is_equal_row_for_row(warehouses):
    con = duckdb.connect()
    for engine, (_, warehouse) in warehouses.items():
        con.execute(f"attach '{warehouse}' as {engine} (read_only)")
    tables = published_tables(con, "duckdb")
    assert published_tables(con, "spark") == tables  # same tables, columns and types
    assert {"indicator_values", "indicator_values_shareable", "scorecard", "scorecard_shareable"} <= set(tables)
    for table, columns in tables.items():
        names = ", ".join(c for c, t in columns if not run_stamp(c, t))
        rows = {engine: con.execute(f"select {names} from {engine}.published.{table} order by all").fetchall()
                for engine in ("duckdb", "spark")}
        assert len(rows["duckdb"]) == len(rows["spark"]), table
        assert rows["duckdb"], f"published.{table} is empty: nothing was compared"
        for expected, got in zip(rows["duckdb"], rows["spark"]):
            assert all(same_value(a, b) for a, b in zip(expected, got)), f"published.{table}: {expected} != {got}"


def test_spark_built_the_indicators_with_the_salt_from_the_environment(warehouses):
    # the hand-off happened (Parquet out, Spark's tables back) and Spark hashed the IDs with the
    # same salt as DuckDB: equal pseudonyms in both build warehouses, none of them unsalted
    spark_build = build_path_for(warehouses["spark"][1])
    workdir = workdir_for(spark_build)
    assert any((workdir / "raw" / "children").glob("*.parquet"))
    assert any((workdir / "warehouse" / "published.db" / "indicator_values").glob("*.parquet"))
    ids = {}
    for engine, (_, warehouse) in warehouses.items():
        with duckdb.connect(str(build_path_for(warehouse)), read_only=True) as con:
            # DuckDB's staging models are views that hash as they are read, with the salt dbt sets
            con.execute("set variable pseudonym_salt = $salt", {"salt": SALT})
            ids[engine] = con.execute("select la_code, child_id from staging.stg_children order by all").fetchall()
            unsalted = con.execute("select count(*) from staging.stg_children s join raw.children r "
                                   "on r.la_code = s.la_code and s.child_id = sha256(r.child_id)").fetchone()[0]
            assert unsalted == 0, engine
    assert ids["spark"] == ids["duckdb"] and len(ids["spark"]) > 100


def test_the_duckdb_engine_hashed_with_the_salt_from_the_environment(warehouses):
    """The DuckDB build's tables (not its staging views, which hash as they are read) hold the child IDs
    as dbt hashed them in the refresh: with the environment's salt, not the demo default."""
    with duckdb.connect(str(build_path_for(warehouses["duckdb"][1])), read_only=True) as con:
        assert salted_ids(con, SALT, DEMO_SALT)


def salted_ids(con, salt: str, other: str) -> dict[str, tuple]:
    """For every intermediate table keeping child_id: its rows, those hashed with `salt` and those hashed
    with `other` from a supplied ID of the same LA; asserts all are `salt`'s."""
    tables = con.execute("select table_schema || '.' || table_name from information_schema.columns c "
                         "join information_schema.tables t using (table_catalog, table_schema, table_name) "
                         "where column_name = 'child_id' and table_schema = 'intermediate' "
                         "and table_type = 'BASE TABLE' order by 1").fetchall()
    counts = {}
    for (table,) in tables:
        counts[table] = con.execute(
            f"""with ids as (select distinct la_code, child_id from raw.children)
                select count(*),
                       count(*) filter (where t.child_id in (select sha256($salt || child_id) from ids i
                                                             where i.la_code = t.la_code)),
                       count(*) filter (where t.child_id in (select sha256($other || child_id) from ids i
                                                             where i.la_code = t.la_code))
                from {table} t where t.child_id is not null""", {"salt": salt, "other": other}).fetchone()
        assert counts[table][0] == counts[table][1] > 0 and counts[table][2] == 0, (table, counts[table])
    assert counts, "no intermediate table keeps child_id: nothing checked"
    return counts


def test_every_dbt_node_of_the_spark_build_ran_and_passed(warehouses):
    """From dbt's run results, not its log: every seed, model and data test of the project ran on Spark
    and succeeded (a log's ERROR=0 holds as well when no test ran)."""
    import json

    from pipeline.paths import dbt_run_results_path

    results = [r for r in json.loads(dbt_run_results_path(warehouses["spark"][1]).read_text())["results"]
               if r["unique_id"].split(".", 1)[0] in ("model", "seed", "test")]  # not on-run-start operations
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    expected = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] in ("model", "seed", "test")}
    assert {r["unique_id"] for r in results} == expected
    failed = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass")]
    assert not failed
    assert sum(r["unique_id"].startswith("test.") for r in results) > 60  # a `checks` test per model and seed (70)


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_the_salt_is_in_no_compiled_sql_or_log(warehouses, engine):
    warehouse = warehouses[engine][1]
    dbt_log = warehouse.with_name("warehouse.dbt.log")
    log = dbt_log.read_text()
    assert re.search(rf"Registered adapter: {engine}", log)
    # the build's compiled SQL, kept beside its build warehouse (pipeline.paths.dbt_target_path)
    compiled = list(dbt_target_path(warehouse).rglob("*.sql"))
    assert len(compiled) > 40
    searched = [dbt_log, *compiled, dbt_target_path(warehouse) / "run_results.json",
                *warehouse.parent.glob("*.log"), *DBT_PROJECT_DIR.glob("logs/*.log")]
    leaks = [str(p) for p in searched if p.is_file() and SALT in p.read_text(errors="replace")]
    assert not leaks
