"""GX suites: the committed JSON matches the builder, and the runner passes/fails real frames.

Frames are built in DuckDB with the raw-table types the loader produces and read with `.df()`,
exactly as the quality gate does. All tests share the runner's one cached GX context.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline.quality.gx_runner import load_suite, run_suite
from pipeline.quality.suites import (
    EXPECTATIONS_DIR,
    INDICATOR_SUITE_NAME,
    all_suites,
    build_entity_suite,
    build_indicator_suite,
    load_entity_spec,
    suite_json,
)

SQL_TYPES = {"id": "VARCHAR", "string": "VARCHAR", "code": "VARCHAR", "flag": "VARCHAR",
             "date": "DATE", "datetime": "TIMESTAMP", "integer": "BIGINT"}
LINEAGE = {"la_code": "VARCHAR", "_source_file": "VARCHAR", "_source_row": "BIGINT",
           "_file_sha256": "VARCHAR", "_run_id": "VARCHAR", "_extra": "VARCHAR"}
INDICATOR_TYPES = {"la_code": "VARCHAR", "indicator_id": "VARCHAR", "period_type": "VARCHAR",
                   "period_start": "DATE", "period_end": "DATE", "dimension": "VARCHAR",
                   "dimension_value": "VARCHAR", "numerator": "BIGINT", "denominator": "BIGINT",
                   "value": "DOUBLE", "unit": "VARCHAR"}


def _frame(types: dict[str, str], rows: list[dict]):
    """A pandas frame with DuckDB-typed columns; values missing from a row are NULL."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(f'"{c}" {t}' for c, t in types.items()) + ")")
    if rows:
        con.executemany(
            f"INSERT INTO t VALUES ({', '.join('?' for _ in types)})",
            [[row.get(c) for c in types] for row in rows],
        )
    return con.sql("SELECT * FROM t").df()


def raw_frame(entity: str, rows: list[dict]):
    """A frame shaped like raw.<entity>: spec columns, la_code and lineage."""
    spec = load_entity_spec()[entity]["columns"]
    types = {c: SQL_TYPES[col["type"]] for c, col in spec.items()} | LINEAGE
    lineage = {"la_code": "E09000001", "_source_file": f"{entity}.csv", "_file_sha256": "ab", "_run_id": "r1"}
    return _frame(types, [lineage | {"_source_row": i + 1} | row for i, row in enumerate(rows)])


def failed(outcome) -> set[tuple[str, str | None]]:
    return {(o.rule, o.column) for o in outcome.outcomes if not o.success}


def by_rule(outcome, rule: str, column: str):
    return next(o for o in outcome.outcomes if o.rule == rule and o.column == column)


GOOD_PLANS = [
    {"cp_plan_id": "P1", "child_id": "C1", "start_date": "2024-01-10", "end_date": "2024-06-01",
     "initial_category": "NEG", "latest_category": "EMO", "previous_plans": 0},
    {"cp_plan_id": "P2", "child_id": "C2", "start_date": "2024-03-01", "initial_category": "PHY"},
    {"cp_plan_id": "P3", "child_id": "C3", "start_date": "2024-05-05", "end_date": "2024-05-05",
     "initial_category": "MUL", "previous_plans": 2},
]


# --- the committed suites -------------------------------------------------------------------

def test_expectation_files_match_builder():
    built = all_suites()
    on_disk = {p.stem: p.read_text() for p in EXPECTATIONS_DIR.glob("*.json")}
    assert set(on_disk) == set(built), "run `python -m pipeline.quality.suites`"
    stale = [name for name, suite in built.items() if on_disk[name] != suite_json(suite)]
    assert not stale, f"stale suites {stale}: run `python -m pipeline.quality.suites`"


def test_suites_round_trip_through_gx():
    import great_expectations as gx

    from pipeline.quality.gx_runner import _gx

    _gx()  # GX needs an active context to build suites
    for name in (*load_entity_spec(), INDICATOR_SUITE_NAME):
        suite = load_suite(name)
        reloaded = gx.ExpectationSuite(**json.loads(json.dumps(suite))).to_json_dict()  # GX mutates meta
        reloaded["meta"].pop("great_expectations_version")
        assert json.loads(json.dumps(reloaded)) == suite, name


def test_entity_suite_derives_rules_from_spec():
    suite = build_entity_suite("s47_enquiries")
    rules = {(e["meta"]["rule"], e["kwargs"].get("column", e["kwargs"].get("column_A")), e["meta"]["severity"])
             for e in suite["expectations"]}
    assert ("required", "start_date", "error") in rules
    assert ("flag", "icpc_not_required", "error") in rules
    assert ("unique_key", "s47_id", "error") in rules
    assert ("date_order", "end_date", "error") in rules
    assert ("date_order", "icpc_date", "warning") in rules
    warning = next(e for e in suite["expectations"] if e["meta"]["severity"] == "warning")
    assert warning["severity"] == "warning"  # GX's own severity field agrees with meta
    codes = next(e for e in build_entity_suite("cp_plans")["expectations"]
                 if e["meta"]["rule"] == "code_list" and e["kwargs"]["column"] == "initial_category")
    assert set(codes["kwargs"]["value_set"]) == {"NEG", "PHY", "SAB", "EMO", "MUL"}


# --- entity suites on frames ----------------------------------------------------------------

def test_good_cp_plans_pass():
    outcome = run_suite(load_suite("cp_plans"), raw_frame("cp_plans", GOOD_PLANS))
    assert outcome.success, failed(outcome)
    assert failed(outcome) == set()
    assert by_rule(outcome, "unique_key", "cp_plan_id").element_count == 3


def test_bad_cp_plans_fail_with_examples():
    rows = GOOD_PLANS + [
        {"cp_plan_id": "P4", "child_id": "C4", "start_date": "2024-02-01", "initial_category": "XYZ"},
        {"cp_plan_id": "P5", "start_date": "2024-02-01", "initial_category": "NEG"},  # child_id null
        {"cp_plan_id": "P1", "child_id": "C6", "start_date": "2024-02-01", "initial_category": "NEG"},
        {"cp_plan_id": "P7", "child_id": "C7", "start_date": "2024-04-01", "end_date": "2024-03-31",
         "initial_category": "NEG"},
    ]
    outcome = run_suite(load_suite("cp_plans"), raw_frame("cp_plans", rows))
    assert not outcome.success
    assert failed(outcome) == {
        ("code_list", "initial_category"),
        ("required", "child_id"),
        ("unique_key", "cp_plan_id"),
        ("date_order", "start_date,end_date"),
    }
    codes = by_rule(outcome, "code_list", "initial_category")
    assert (codes.unexpected_count, codes.examples, codes.severity) == (1, ["XYZ"], "error")
    assert by_rule(outcome, "required", "child_id").unexpected_count == 1
    unique = by_rule(outcome, "unique_key", "cp_plan_id")
    assert (unique.unexpected_count, unique.examples) == (2, ["P1"])
    order = by_rule(outcome, "date_order", "start_date,end_date")
    assert order.unexpected_count == 1
    assert [d[:10] for d in order.examples[0]] == ["2024-04-01", "2024-03-31"]  # (start, end)
    json.dumps([o.examples for o in outcome.outcomes])  # examples are JSON-safe for the audit tables


def test_warning_only_failure_keeps_success():
    rows = [
        {"s47_id": "S1", "child_id": "C1", "start_date": "2024-02-10", "icpc_date": "2024-02-01"},
        {"s47_id": "S2", "child_id": "C2", "start_date": "2024-02-10", "end_date": "2024-03-01",
         "icpc_not_required": "N", "icpc_date": "2024-02-20", "icpc_outcome_cp_plan": "Y"},
    ]
    outcome = run_suite(load_suite("s47_enquiries"), raw_frame("s47_enquiries", rows))
    assert outcome.success
    assert failed(outcome) == {("date_order", "start_date,icpc_date")}
    warning = by_rule(outcome, "date_order", "start_date,icpc_date")
    assert (warning.severity, warning.unexpected_count) == ("warning", 1)
    assert [d[:10] for d in warning.examples[0]] == ["2024-02-10", "2024-02-01"]


def test_empty_table_passes_but_missing_column_fails():
    empty = raw_frame("cp_plans", [])
    assert run_suite(load_suite("cp_plans"), empty).success
    outcome = run_suite(load_suite("cp_plans"), empty.drop(columns=["initial_category"]))
    assert not outcome.success
    assert ("column_present", "initial_category") in failed(outcome)
    assert by_rule(outcome, "code_list", "initial_category").exception  # GX's own error, surfaced


def test_pattern_and_all_null_optional_columns():
    rows = [{"child_id": "C1", "contact_date": "2024-01-01", "in_touch": "YES", "accommodation": "B1"},
            {"child_id": "C2", "contact_date": "2024-01-01", "in_touch": "YES", "accommodation": "b3"},
            {"child_id": "C3", "contact_date": "2024-01-01", "in_touch": "YES"}]
    outcome = run_suite(load_suite("care_leavers"), raw_frame("care_leavers", rows))
    assert failed(outcome) == {("pattern", "accommodation")}  # activity is all NULL: no failure
    assert by_rule(outcome, "pattern", "accommodation").examples == ["b3"]


# --- indicator suite ------------------------------------------------------------------------

def indicator_rows(**override) -> list[dict]:
    base = {"la_code": "E09000001", "period_type": "month", "period_start": "2024-01-01",
            "period_end": "2024-01-31", "dimension": "all", "dimension_value": "all"}
    rows = [
        base | {"indicator_id": "REF_COUNT", "value": 40.0, "unit": "count"},
        base | {"indicator_id": "REF_RATE", "numerator": 40, "denominator": 50000, "value": 8.0,
                "unit": "rate_per_10k"},
        base | {"indicator_id": "REF_NFA", "numerator": 10, "denominator": 40, "value": 25.0, "unit": "percent"},
        base | {"indicator_id": "ASM_45WD", "numerator": 0, "denominator": 0, "unit": "percent"},
        base | {"indicator_id": "REF_NFA", "period_type": "r12m", "period_start": "2023-02-01",
                "numerator": 100, "denominator": 400, "value": 25.0, "unit": "percent"},
        # ratio of two counts: more ICPCs than S47 starts in a month is legitimate
        base | {"indicator_id": "S47_TO_ICPC", "numerator": 6, "denominator": 5, "value": 120.0, "unit": "percent"},
    ]
    rows[2] |= override
    return rows


def test_good_indicator_frame_passes():
    outcome = run_suite(build_indicator_suite(), _frame(INDICATOR_TYPES, indicator_rows()))
    assert outcome.success, [o for o in outcome.outcomes if not o.success]


@pytest.mark.parametrize("override, expected", [
    ({"numerator": 48, "value": 120.0}, {("percent_range", "value"), ("numerator_le_denominator", "numerator,denominator")}),
    ({"numerator": 41}, {("numerator_le_denominator", "numerator,denominator")}),
    ({"value": 120.0}, {("percent_range", "value")}),
    ({"period_type": "week"}, {("period_type", "period_type")}),
    ({"indicator_id": "REF_COUNT", "unit": "count"},
     {("unique_key", "la_code,indicator_id,period_type,period_end,dimension,dimension_value")}),
    ({"period_start": "2024-02-01"}, {("period_order", "period_start,period_end")}),
])
def test_bad_indicator_frames_fail(override, expected):
    outcome = run_suite(load_suite("indicator_values"), _frame(INDICATOR_TYPES, indicator_rows(**override)))
    assert not outcome.success
    assert failed(outcome) == expected


def test_percent_example_reported():
    outcome = run_suite(load_suite("indicator_values"), _frame(INDICATOR_TYPES, indicator_rows(value=120.0)))
    assert by_rule(outcome, "percent_range", "value").examples == [120.0]


def test_data_docs_written(tmp_path):
    outcome = run_suite(load_suite("cp_plans"), raw_frame("cp_plans", GOOD_PLANS), data_docs_dir=tmp_path)
    assert outcome.success
    assert (tmp_path / "index.html").exists()
    assert (tmp_path / "expectations" / "cp_plans.html").exists()
    assert len(list((tmp_path / "validations" / "cp_plans").rglob("*.html"))) == 1


@pytest.mark.parametrize("entity", list(load_entity_spec()))
def test_every_entity_suite_passes_an_empty_loaded_table(entity):
    outcome = run_suite(load_suite(entity), raw_frame(entity, []))
    assert outcome.success
    assert not [o for o in outcome.outcomes if o.exception]


def test_datetime_order_on_contacts():
    rows = [{"contact_id": "K1", "child_id": "C1", "contact_datetime": "2024-01-01 09:00",
             "contact_source": "1A", "decision_datetime": "2024-01-01 08:59", "outcome": "NFA"},
            {"contact_id": "K2", "child_id": "C1", "contact_datetime": "2024-01-01 09:00",
             "contact_source": "1A", "decision_datetime": "2024-01-01 09:00", "outcome": "REFERRAL"}]
    outcome = run_suite(load_suite("contacts"), raw_frame("contacts", rows))
    assert failed(outcome) == {("date_order", "contact_datetime,decision_datetime")}
    assert by_rule(outcome, "date_order", "contact_datetime,decision_datetime").unexpected_count == 1
