"""The checks generic test (dbt_project/tests/generic/checks.sql): one dbt test per model or seed
standing for all of its rules, so it must fail exactly when one rule is broken, naming each broken
rule and its failing rows. Run on seeds.targets, whose checks hold every kind of rule (not_null,
unique, relationships to indicator_catalogue, an expression)."""

import json

import duckdb
from tests.dbt.dbt_cli import run_dbt

GOOD = [("E09000001", "REF_REREFERRAL", 20.0, 2.0), ("E09000002", "REF_REREFERRAL", 21.0, 0.0)]


def outcome(tmp_path, rows: list[tuple]) -> tuple[str, int, list]:
    """dbt test of checks_targets on a targets table holding `rows` (la_code, indicator_id, target,
    amber_tolerance): status, failures (broken rules) and the rows dbt stored (failed_check, failing_rows)."""
    db = tmp_path / "build.duckdb"
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db)) as con:
        con.execute("create schema seeds")
        con.execute("create table seeds.indicator_catalogue (id varchar)")
        con.execute("insert into seeds.indicator_catalogue values ('REF_REREFERRAL'), ('CLA_RATE')")
        con.execute("create table seeds.targets (la_code varchar, indicator_id varchar, target double, "
                    "amber_tolerance double, source varchar)")
        con.executemany("insert into seeds.targets values (?, ?, ?, ?, 'test')", rows)
    run_dbt(db, tmp_path, "test", "--select", "checks_targets", "--store-failures", check=False)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    result = next(r for r in results if r["unique_id"].startswith("test."))  # not the on-run-start hook
    with duckdb.connect(str(db), read_only=True) as con:
        failing = con.execute("select failed_check, failing_rows from dbt_test__audit.checks_targets "
                              "order by 1").fetchall()
    return result["status"], result["failures"], failing


def test_passes_when_every_rule_holds(tmp_path):
    assert outcome(tmp_path, GOOD) == ("pass", 0, [])


def test_fails_naming_each_broken_rule_and_its_rows(tmp_path):
    bad_rows = [
        ("E09000003", None, 20.0, 1.0), (None, "CLA_RATE", None, 1.0), ("E09000004", "CLA_RATE", None, 1.0),
        ("E09000001", "REF_REREFERRAL", 30.0, 1.0), ("E09000002", "REF_REREFERRAL", 30.0, 1.0),  # GOOD's keys again
        ("E09000005", "NO_SUCH_INDICATOR", 20.0, 1.0), ("E09000006", "NOR_THIS", 20.0, 1.0),
        ("E09000007", "CLA_RATE", 20.0, -1.0), ("E09000008", "CLA_RATE", 20.0, None),  # a null is not true either
    ]
    failed = [("expression: targets_tolerance_not_negative", 2), ("not_null: indicator_id", 1),
              ("not_null: la_code", 1), ("not_null: target", 2),
              ("relationships: indicator_id -> indicator_catalogue.id", 2), ("unique: la_code, indicator_id", 2)]
    assert outcome(tmp_path, GOOD + bad_rows) == ("fail", len(failed), failed)
