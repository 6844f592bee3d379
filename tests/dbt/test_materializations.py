"""The project's DuckDB table and view materializations (dbt_project/macros/materializations.sql): one
statement a model, for a build warehouse that is new each refresh; dbt run again on a built warehouse
(by hand, or a test) must still replace each model with what its inputs now hold, leaving nothing aside."""

import duckdb
from tests.dbt.dbt_cli import run_dbt

MODELS = ["int_working_days", "stg_population"]  # a table and a view, each on a seed (and raw.manifests)


def _working_day(con, day: str) -> bool:
    return con.execute("select is_working_day from intermediate.int_working_days where date_day = ?", [day]).fetchone()[0]


def test_a_second_build_replaces_each_table_and_view_with_what_its_inputs_now_hold(tmp_path):
    db = tmp_path / "build.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.manifests (la_code varchar, population_0_17 json)")
    run_dbt(db, tmp_path, "seed", "--select", "bank_holidays", "population")
    run_dbt(db, tmp_path, "run", "--select", *MODELS)
    with duckdb.connect(str(db)) as con:
        assert _working_day(con, "2026-12-07")  # a Monday
        before = con.execute("select count(*) from staging.stg_population").fetchone()[0]
        # the inputs change: a new bank holiday, and a manifest's population overriding the seed's LAs
        con.execute("insert into seeds.bank_holidays values (date '2026-12-07', 'Test day')")
        con.execute("""insert into raw.manifests values ('Z99000001', '{"2026": 1234}')""")
        # the view is replaced, not left as it was: a column it no longer has would survive a kept view
        con.execute("create or replace view staging.stg_population as select 1 as stale_column")
    run_dbt(db, tmp_path, "run", "--select", *MODELS)
    with duckdb.connect(str(db), read_only=True) as con:
        assert not _working_day(con, "2026-12-07")
        assert con.execute("select count(*) from intermediate.int_working_days").fetchone()[0] == (
            con.execute("select date '2031-12-31' - date '2009-01-01' + 1").fetchone()[0])  # one row a day, once
        assert con.execute("select population_0_17 from staging.stg_population where la_code = 'Z99000001'"
                           ).fetchall() == [(1234,)]
        assert con.execute("select count(*) from staging.stg_population").fetchone()[0] == before + 1
        # nothing left under dbt's temporary or backup names, and each kept its kind
        assert con.execute("""select table_schema || '.' || table_name, table_type from information_schema.tables
                              where table_schema in ('intermediate', 'staging') order by 1""").fetchall() == [
            ("intermediate.int_working_days", "BASE TABLE"), ("staging.stg_population", "VIEW")]
