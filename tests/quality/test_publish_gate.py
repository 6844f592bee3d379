"""The gate decides per LA; publish keeps the last good figures of a held-back LA; an indicator
error confined to one LA holds only that LA back; an indicator check failing for the build as a
whole publishes nothing and leaves the previous warehouse byte for byte."""

import hashlib
import json
import shutil

import duckdb
import pytest

from pipeline.defs.refresh import run_refresh
from pipeline.paths import EXPECTATIONS_DIR, audit_path_for
from tests.quality.extracts import LAS, REFERRALS, write_base


def figures(warehouse, la):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select * from published.indicator_values where la_code = $la order by all", {"la": la}).fetchall()


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def first_run(first_publication):
    root, warehouse = first_publication
    return root, warehouse, {la: figures(warehouse, la) for la in LAS}


def test_first_run_publishes_both(first_run):
    _, warehouse, before = first_run
    assert query(warehouse, "select la_code, status from published.publications order by 1") == [
        ("X1", "published"), ("X2", "published")]
    assert before["X1"] and before["X2"]
    dq = query(warehouse, "select count(*), count(*) filter (where passed) from published.data_quality")[0]
    assert dq[0] > 50 and dq[0] == dq[1]


def test_unchanged_republication_adds_no_history(first_run, tmp_path):
    """indicator_history records changes, not nights: the same inbox again, forced (an unchanged inbox is
    not refreshed at all unless forced), adds a publication, no history."""
    root, warehouse, _ = first_run
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    history = "select la_code, count(*), count(distinct run_id) from published.indicator_history group by 1 order by 1"
    before = query(copy, history)
    assert before and all(n > 0 for _, n, _ in before)
    result = run_refresh(root / "inbox", copy, la_codes=list(LAS))
    assert result.success
    assert query(copy, "select count(distinct run_id) from published.publications") == [(2,)]
    assert query(copy, history) == before


def suites_with(tmp_path, expectation: dict) -> str:
    """A copy of expectations/ whose indicator suite has one more expectation."""
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    suite = json.loads((suites / "indicator_values.json").read_text())
    suite["expectations"].append(expectation)
    (suites / "indicator_values.json").write_text(json.dumps(suite))
    return str(suites)


def test_bad_extract_holds_back_one_la_and_keeps_its_last_good_figures(first_run, tmp_path):
    root, warehouse, before = first_run
    # X2 now sends referrals with unknown codes: 2 of 4 rows quarantined, far over the 5% threshold;
    # and an indicator invariant only X2's figures break (an error confined to one LA holds that LA
    # back, like a dataset-level failure; the build itself is not wrong, so X1 still publishes)
    bad = [dict(r, referral_source="ZZ") if i < 2 else r for i, r in enumerate(REFERRALS)]
    write_base(root / "inbox", extract_date="2024-04-30", X2={"referrals": bad})
    suites = suites_with(tmp_path, {"type": "expect_column_values_to_not_be_in_set",
                                    "kwargs": {"column": "la_code", "value_set": ["X2"]},
                                    "meta": {"rule": "test_not_x2", "severity": "error"}, "severity": "critical"})
    result = run_refresh(root / "inbox", warehouse, expectations_dir=suites)
    assert result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "indicator_values_suite")
    assert not evaluation.passed and evaluation.severity.value == "WARN"  # not blocking: X1 publishes
    assert evaluation.metadata["las_held_back"].value == ["X2"]
    latest = dict(query(warehouse, "select la_code, status || ':' || coalesce(reason, '') from published.publications "
                                   f"where run_id = '{result.run_ids[0]}'"))
    assert latest["X1"] == "published:"
    assert latest["X2"].startswith("held_back:") and "referrals: quarantine_share failed: 2 of 4 rows quarantined" in latest["X2"]
    assert "indicator_values: test_not_x2:la_code failed" in latest["X2"]
    assert figures(warehouse, "X2") == before["X2"]  # last good figures stay
    assert figures(warehouse, "X1") != before["X1"]  # X1 moved on to the April extract
    assert query(warehouse, "select max(period_end)::varchar from published.indicator_values where la_code = 'X1'") == [
        ("2024-04-30",)]
    # the quarantine is in the restricted audit file, not the published one dashboards are given
    assert query(warehouse, "select count(*) from duckdb_tables() where schema_name = 'audit' "
                            "and table_name = 'quarantine'") == [(0,)]
    quarantine = query(audit_path_for(warehouse), "select la_code, row_number, column_name, raw_value, rule "
                                                  "from audit.quarantine")
    assert sorted(quarantine) == [("X2", 2, "referral_source", "ZZ", "unknown_code"),
                                  ("X2", 3, "referral_source", "ZZ", "unknown_code")]
    failed = query(warehouse, "select la_code, entity, check_name from published.data_quality "
                              f"where not passed and run_id = '{result.run_ids[0]}'")
    assert ("X2", "referrals", "quarantine_share") in failed
    assert ("X2", "indicator_values", "test_not_x2:la_code") in failed
    assert ("X1", "indicator_values", "test_not_x2:la_code") not in failed
    history = query(warehouse, "select la_code, count(distinct run_id) from published.indicator_history group by 1 order by 1")
    assert history == [("X1", 2), ("X2", 1)]
    docs = warehouse.parent / "data_docs" / result.run_ids[0]
    assert (docs / "index.html").exists()
    assert list((docs / "validations" / "indicator_values").rglob("*.html"))
    assert list((docs / "validations" / "referrals").rglob("*.html"))


def test_failing_blocking_indicator_check_publishes_nothing(first_run, tmp_path):
    root, warehouse, _ = first_run
    # an expectation no real indicator table meets: the indicator suite must fail and block publish
    suites = suites_with(tmp_path, {"type": "expect_table_row_count_to_equal", "kwargs": {"value": 0},
                                    "meta": {"rule": "test_impossible", "severity": "error"}, "severity": "critical"})
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    result = run_refresh(root / "inbox", warehouse, expectations_dir=suites)
    assert not result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "indicator_values_suite")
    assert not evaluation.passed
    assert not [m for m in result.get_asset_materialization_events()
                if m.asset_key.to_user_string() == "published_warehouse"]
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest


def test_a_run_that_stops_before_its_last_gate_still_renders_the_data_docs_it_validated(first_run, tmp_path):
    """Data Docs are rendered once a run, with the indicator gate; a run that fails before it (here
    dbt's step: its log cannot be written) renders the entity gates' validations on failure."""
    root, warehouse, _ = first_run
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    result = run_refresh(root / "inbox", copy, la_codes=list(LAS), dbt_log=str(tmp_path / "missing" / "dbt.log"))
    assert not result.success
    docs = tmp_path / "data_docs" / result.run_ids[0]
    assert list((docs / "validations" / "referrals").rglob("*.html"))
    assert not (docs / "validations" / "indicator_values").exists()  # the indicator gate never ran
    assert (docs / "index.html").exists()


def test_the_indicator_gate_validates_only_suspect_rows_and_finds_what_every_row_gives(first_publication_source,
                                                                                        tmp_path):
    """The indicator gate sends GX only the rows some expectation could find unexpected (the whole table
    of 300 small LAs took 5.7 GB in two processes): with broken figures planted in the built table, every
    finding must be the one validating every row gives, and the frame must hold those rows, not the table."""
    import json as json_

    from pipeline.defs.checks import indicators
    from pipeline.defs.resources import RefreshSettings
    from pipeline.paths import build_path_for
    from pipeline.quality.gx_runner import load_suite, run_suite
    from pipeline.quality.suites import INDICATOR_SUITE_NAME, frame_suite, parameters

    build = tmp_path / "build.duckdb"  # the first publication's build warehouse, with its built figures
    shutil.copy(build_path_for(first_publication_source / "warehouse.duckdb"), build)
    with duckdb.connect(str(build)) as con:
        percent = "(select id from seeds.indicator_catalogue where unit = 'percent')"
        key = "la_code, indicator_id, period_type, period_end, dimension, dimension_value"
        con.execute(f"""update marts.fct_indicator_values set value = 150  -- a percent over 100 (X2)
                        where ({key}) = (select ({key}) from marts.fct_indicator_values where la_code = 'X2'
                                         and indicator_id in {percent} and value is not null order by all limit 1)""")
        con.execute(f"""update marts.fct_indicator_values set numerator = denominator + 1  -- (X1)
                        where ({key}) = (select ({key}) from marts.fct_indicator_values where la_code = 'X1'
                                         and denominator is not null and indicator_id in {percent} order by all limit 1)""")
        con.execute("""insert into marts.fct_indicator_values  -- the same figure twice (X1)
                       select * from marts.fct_indicator_values where la_code = 'X1' order by all limit 1""")
        con.execute(f"""delete from marts.fct_indicator_values  -- a month with no figure (X2)
                        where ({key}) = (select ({key}) from marts.fct_indicator_values where la_code = 'X2'
                                         and period_type = 'month' and dimension = 'all' order by all limit 1 offset 7)""")
        suite = frame_suite(load_suite(INDICATOR_SUITE_NAME), "values")
        values = parameters(RefreshSettings())
        sizes, suspects = indicators._suspect_frame(con, suite, values)
        every = con.execute(indicators.INDICATOR_FRAME_SQL).df()
    assert sum(sizes.values()) == len(every) and set(sizes) == {"X1", "X2"}
    assert 5 <= len(suspects) < len(every) / 50, (len(suspects), len(every))

    def findings(frame):
        outcome = run_suite(suite, frame, parameters=values, index_columns=indicators.INDEX_COLUMNS)
        return [(o.rule, o.column, o.success, o.unexpected_count,
                 sorted(json_.dumps(r, sort_keys=True, default=str) for r in o.unexpected_rows or []))
                for o in outcome.outcomes]

    on_suspects = findings(suspects)
    assert on_suspects == findings(every)
    failed = {(rule, column) for rule, column, success, _, _ in on_suspects if not success}
    assert failed == {("percent_range", "value"), ("numerator_le_denominator", "numerator,denominator"),
                      ("missing_month", "_kind"),
                      ("unique_key", "la_code,indicator_id,period_type,period_end,dimension,dimension_value")}
