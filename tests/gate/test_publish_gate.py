"""The gate decides per LA; publish keeps the last good figures of a held-back LA; a failing
blocking indicator check publishes nothing and leaves the previous warehouse byte for byte."""

import hashlib
import json
import shutil

import duckdb
import pytest

from pipeline.cli import run_refresh
from pipeline.paths import EXPECTATIONS_DIR
from tests.inbox_builder import write_la

CHILDREN = [{"child_id": "C1", "sex": "M", "date_of_birth": "2015-01-01"}]
REFERRALS = [
    {"referral_id": f"R{i}", "child_id": "C1", "referral_date": f"2024-0{m}-1{i % 9}", "referral_source": "1A",
     "referral_nfa": "N"}
    for i, m in enumerate([1, 2, 2, 3], start=1)
]
BASE = {
    "children": CHILDREN,
    "contacts": [{"contact_id": "K1", "child_id": "C1", "contact_datetime": "2024-01-05 10:00", "contact_source": "1A"}],
    "referrals": REFERRALS,
    "assessments": [{"assessment_id": "A1", "child_id": "C1", "start_date": "2024-01-08", "authorisation_date": "2024-02-01"}],
    "cp_plans": [{"cp_plan_id": "P1", "child_id": "C1", "start_date": "2024-01-15", "initial_category": "NEG"}],
    "cla_episodes": [{"episode_id": "E1", "child_id": "C1", "start_date": "2023-01-01", "reason_new_episode": "S",
                      "legal_status": "C2", "category_of_need": "N1", "placement_type": "U1"}],
}


def figures(warehouse, la):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select * from published.indicator_values where la_code = $la order by all", {"la": la}).fetchall()


def query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate")
    for la in ("X1", "X2"):
        write_la(root / "inbox", la, BASE, population={2024: 1000})
    warehouse = root / "warehouse.duckdb"
    assert run_refresh(root / "inbox", warehouse).success
    return root, warehouse, {la: figures(warehouse, la) for la in ("X1", "X2")}


def test_first_run_publishes_both(first_run):
    _, warehouse, before = first_run
    assert query(warehouse, "select la_code, status from published.publications order by 1") == [
        ("X1", "published"), ("X2", "published")]
    assert before["X1"] and before["X2"]
    dq = query(warehouse, "select count(*), count(*) filter (where passed) from published.data_quality")[0]
    assert dq[0] > 50 and dq[0] == dq[1]


def test_bad_extract_holds_back_one_la_and_keeps_its_last_good_figures(first_run):
    root, warehouse, before = first_run
    # X2 now sends referrals with unknown codes: 2 of 4 rows quarantined, far over the 5% threshold
    bad = [dict(r, referral_source="ZZ") if i < 2 else r for i, r in enumerate(REFERRALS)]
    write_la(root / "inbox", "X2", dict(BASE, referrals=bad), extract_date="2024-04-30", population={2024: 1000})
    write_la(root / "inbox", "X1", BASE, extract_date="2024-04-30", population={2024: 1000})
    result = run_refresh(root / "inbox", warehouse)
    assert result.success
    latest = dict(query(warehouse, "select la_code, status || ':' || coalesce(reason, '') from published.publications "
                                   "where finished_at = (select max(finished_at) from published.publications)"))
    assert latest["X1"] == "published:"
    assert latest["X2"].startswith("held_back:") and "referrals: quarantine_share failed: 2 of 4 rows quarantined" in latest["X2"]
    assert figures(warehouse, "X2") == before["X2"]  # last good figures stay
    assert figures(warehouse, "X1") != before["X1"]  # X1 moved on to the April extract
    assert query(warehouse, "select max(period_end)::varchar from published.indicator_values where la_code = 'X1'") == [
        ("2024-04-30",)]
    quarantine = query(warehouse, "select la_code, row_number, column_name, raw_value, rule from audit.quarantine")
    assert sorted(quarantine) == [("X2", 2, "referral_source", "ZZ", "unknown_code"),
                                  ("X2", 3, "referral_source", "ZZ", "unknown_code")]
    failed = query(warehouse, "select la_code, entity, check_name from published.data_quality where not passed")
    assert ("X2", "referrals", "quarantine_share") in failed
    history = query(warehouse, "select la_code, count(distinct run_id) from published.indicator_history group by 1 order by 1")
    assert history == [("X1", 2), ("X2", 1)]


def test_failing_blocking_indicator_check_publishes_nothing(first_run, tmp_path):
    root, warehouse, _ = first_run
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    suite = json.loads((suites / "indicator_values.json").read_text())
    # an expectation no real indicator table meets: the indicator suite must fail and block publish
    suite["expectations"].append({"type": "expect_table_row_count_to_equal", "kwargs": {"value": 0},
                                  "meta": {"rule": "test_impossible", "severity": "error"}, "severity": "critical"})
    (suites / "indicator_values.json").write_text(json.dumps(suite))
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    result = run_refresh(root / "inbox", warehouse, expectations_dir=str(suites))
    assert not result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "indicator_values_suite")
    assert not evaluation.passed
    assert not [m for m in result.get_asset_materialization_events()
                if m.asset_key.to_user_string() == "published_warehouse"]
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest


def test_indicator_error_confined_to_one_la_holds_only_that_la_back(first_run, tmp_path):
    root, warehouse, _ = first_run
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    suite = json.loads((suites / "indicator_values.json").read_text())
    # an invariant only X1's figures break: X1 is held back, the build itself is not wrong
    suite["expectations"].append({"type": "expect_column_values_to_not_be_in_set",
                                  "kwargs": {"column": "la_code", "value_set": ["X1"]},
                                  "meta": {"rule": "test_not_x1", "severity": "error"}, "severity": "critical"})
    (suites / "indicator_values.json").write_text(json.dumps(suite))
    before = figures(warehouse, "X1")
    result = run_refresh(root / "inbox", warehouse, expectations_dir=str(suites))
    assert result.success
    evaluation = next(e for e in result.get_asset_check_evaluations() if e.check_name == "indicator_values_suite")
    assert not evaluation.passed and evaluation.severity.value == "WARN"
    assert evaluation.metadata["las_held_back"].value == ["X1"]
    latest = dict(query(warehouse, "select la_code, reason from published.publications where run_id = "
                                   f"'{result.run_id}' and status = 'held_back'"))
    assert latest["X1"].startswith("indicator_values: test_not_x1:la_code failed")
    assert figures(warehouse, "X1") == before
    dq = query(warehouse, f"select la_code, passed from published.data_quality where run_id = '{result.run_id}' "
                          "and entity = 'indicator_values' and check_name = 'test_not_x1:la_code'")
    assert sorted(dq) == [("X1", False), ("X2", True)]
    docs = warehouse.parent / "data_docs" / result.run_id
    assert (docs / "index.html").exists() and list((docs / "validations" / "indicator_values").rglob("*.html"))
