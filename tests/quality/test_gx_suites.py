"""GX suites: the committed JSON matches the builder, covers every rule of extracts.md, and the
runner passes/fails real frames.

Frames are built in DuckDB with the raw-table types the loader produces and read with `.df()`,
exactly as the quality gate does. All tests share the runner's one cached GX context.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from pipeline.load.tables import LINEAGE
from pipeline.quality.gx_runner import load_suite, run_suite
from pipeline.quality.suites import (
    EXPECTATIONS_DIR,
    INDICATOR_SUITE_NAME,
    all_suites,
    build_entity_suite,
    entity_names,
    frame_suite,
    suite_json,
)
from pipeline.specs import entities

INDICATOR_TYPES = {"la_code": "VARCHAR", "indicator_id": "VARCHAR", "period_type": "VARCHAR",
                   "period_start": "DATE", "period_end": "DATE", "dimension": "VARCHAR",
                   "dimension_value": "VARCHAR", "numerator": "BIGINT", "denominator": "BIGINT",
                   "value": "DOUBLE", "unit": "VARCHAR", "_kind": "VARCHAR", "_month_ratio": "DOUBLE"}
PARAMS = {"max_quarantine_share": 0.05, "max_overlap_share": 0.05, "min_volume_ratio": 0.5,
          "max_volume_ratio": 2.0, "min_indicator_ratio": 0.5, "max_indicator_ratio": 2.0}


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


def rows_frame(entity: str, rows: list[dict], helpers: dict[str, str] | None = None):
    """A frame shaped like the gate's rows frame: raw.<entity> columns, lineage and helper columns."""
    types = {c.name: c.sql_type for c in entities()[entity].columns} | LINEAGE | {"_day_after_extract": "DATE"}
    types |= helpers or {}
    lineage = {"la_code": "E09000001", "_source_file": f"{entity}.csv", "_file_sha256": "ab", "_run_id": "r1",
               "_day_after_extract": "2025-01-01"}
    return _frame(types, [lineage | {"_source_row": i + 2} | row for i, row in enumerate(rows)])


def run_rows(entity: str, frame):
    return run_suite(frame_suite(load_suite(entity), "rows"), frame, parameters=PARAMS,
                     index_columns=["la_code", "_source_row"])


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
PLAN_HELPERS = {"_birth_floor": "DATE", "_orphan_child_id": "VARCHAR", "_overlaps_with": "VARCHAR"}


# --- the committed suites -------------------------------------------------------------------

def test_expectation_files_match_builder():
    built = all_suites()
    on_disk = {p.stem: p.read_text() for p in EXPECTATIONS_DIR.glob("*.json")}
    assert set(on_disk) == set(built), "run `python -m pipeline.quality.suites`"
    stale = [name for name, suite in built.items() if on_disk[name] != suite_json(suite)]
    assert not stale, f"stale suites {stale}: run `python -m pipeline.quality.suites`"


def test_suites_round_trip_through_gx():
    from pipeline.quality.gx_runner import _gx  # first: it keeps GX's import away from Spark Connect

    import great_expectations as gx

    _gx()  # GX needs an active context to build suites
    for name in (*entity_names(), INDICATOR_SUITE_NAME):
        suite = load_suite(name)
        reloaded = gx.ExpectationSuite(**json.loads(json.dumps(suite))).to_json_dict()  # GX mutates meta
        reloaded["meta"].pop("great_expectations_version")
        assert json.loads(json.dumps(reloaded)) == suite, name


# Every rule of extracts.md "Rules every extract must satisfy", by the name loader and suites share.
EXTRACT_RULES = {
    "required", "unknown_code", "invalid_date", "duplicate_id", "date_after_extract", "before_birth",
    "end_before_start", "orphan_child", "file_has_rows", "missing_column", "quarantine_share", "overlap",
    "overlap_share", "volume_change",
}


def test_every_rule_of_the_extract_contract_is_in_a_suite():
    rules = {e["meta"]["rule"] for name in entity_names() for e in load_suite(name)["expectations"]}
    assert EXTRACT_RULES <= rules, EXTRACT_RULES - rules
    indicator_rules = {e["meta"]["rule"] for e in load_suite(INDICATOR_SUITE_NAME)["expectations"]}
    assert {"percent_range", "numerator_le_denominator", "non_negative", "missing_month", "month_jump"} <= indicator_rules


def test_entity_suite_derives_rules_from_spec():
    suite = build_entity_suite("s47_enquiries")
    rules = {(e["meta"]["rule"], e["kwargs"].get("column", e["kwargs"].get("column_A")), e["meta"]["severity"])
             for e in suite["expectations"]}
    assert ("required", "start_date", "error") in rules
    assert ("invalid_flag", "icpc_not_required", "error") in rules
    assert ("end_before_start", "end_date", "error") in rules
    assert ("end_before_start", "icpc_date", "warning") in rules  # extracts.md: ICPC before S47 start is a warning
    assert ("date_after_extract", "_day_after_extract", "error") in rules
    assert ("before_birth", "icpc_date", "error") in rules
    assert ("orphan_child", "_orphan_child_id", "error") in rules
    assert ("quarantine_share", "_quarantine_share", "error") in rules
    assert ("volume_change", "_month_ratio", "warning") in rules
    unique = next(e for e in suite["expectations"] if e["meta"]["rule"] == "duplicate_id")
    assert unique["kwargs"]["column_list"] == ["la_code", "s47_id"]  # unique per LA
    warning = next(e for e in suite["expectations"] if e["meta"]["severity"] == "warning")
    assert warning["severity"] == "warning"  # GX's own severity field agrees with meta
    codes = next(e for e in build_entity_suite("cp_plans")["expectations"]
                 if e["meta"]["rule"] == "unknown_code" and e["kwargs"]["column"] == "initial_category")
    assert set(codes["kwargs"]["value_set"]) == {"NEG", "PHY", "SAB", "EMO", "MUL"}
    # thresholds are suite parameters filled from the refresh settings
    share = next(e for e in suite["expectations"] if e["meta"]["rule"] == "quarantine_share")
    assert share["kwargs"]["max_value"] == {"$PARAMETER": "max_quarantine_share"}
    assert {e["meta"]["frame"] for e in suite["expectations"]} == {"rows", "las", "months"}


def test_entity_without_event_date_has_no_volume_rule():
    assert "months" not in {e["meta"]["frame"] for e in build_entity_suite("children")["expectations"]}
    assert not [e for e in build_entity_suite("cp_reviews")["expectations"] if e["meta"]["rule"] == "duplicate_id"]


# --- entity suites on frames ----------------------------------------------------------------

def test_good_cp_plans_pass():
    outcome = run_rows("cp_plans", rows_frame("cp_plans", GOOD_PLANS, PLAN_HELPERS))
    assert outcome.success, failed(outcome)
    assert failed(outcome) == set()
    assert by_rule(outcome, "duplicate_id", "la_code,cp_plan_id").element_count == 3


def test_bad_cp_plans_fail_with_examples_and_source_rows():
    rows = GOOD_PLANS + [
        {"cp_plan_id": "P4", "child_id": "C4", "start_date": "2024-02-01", "initial_category": "XYZ"},
        {"cp_plan_id": "P5", "start_date": "2024-02-01", "initial_category": "NEG"},  # child_id null
        {"cp_plan_id": "P1", "child_id": "C6", "start_date": "2024-02-01", "initial_category": "NEG"},
        {"cp_plan_id": "P7", "child_id": "C7", "start_date": "2024-04-01", "end_date": "2024-03-31",
         "initial_category": "NEG"},
        {"cp_plan_id": "P8", "child_id": "C8", "start_date": "2025-02-01", "initial_category": "NEG",
         "_orphan_child_id": "C8", "_birth_floor": "2025-03-01", "_overlaps_with": "P1"},
    ]
    outcome = run_rows("cp_plans", rows_frame("cp_plans", rows, PLAN_HELPERS))
    assert not outcome.success
    assert failed(outcome) == {
        ("unknown_code", "initial_category"),
        ("required", "child_id"),
        ("duplicate_id", "la_code,cp_plan_id"),
        ("end_before_start", "start_date,end_date"),
        ("date_after_extract", "start_date,_day_after_extract"),
        ("before_birth", "_birth_floor,start_date"),
        ("orphan_child", "_orphan_child_id"),
        ("overlap", "_overlaps_with"),
    }
    codes = by_rule(outcome, "unknown_code", "initial_category")
    assert (codes.unexpected_count, codes.examples, codes.severity) == (1, ["XYZ"], "error")
    assert codes.unexpected_rows == [{"la_code": "E09000001", "_source_row": 5, "initial_category": "XYZ"}]
    unique = by_rule(outcome, "duplicate_id", "la_code,cp_plan_id")
    assert unique.unexpected_count == 2
    assert sorted(r["_source_row"] for r in unique.unexpected_rows) == [2, 7]
    order = by_rule(outcome, "end_before_start", "start_date,end_date")
    assert order.unexpected_count == 1
    assert [d[:10] for d in order.examples[0]] == ["2024-04-01", "2024-03-31"]  # (start, end)
    assert by_rule(outcome, "overlap", "_overlaps_with").severity == "warning"
    json.dumps([o.examples for o in outcome.outcomes])  # examples are JSON-safe for the audit tables


def test_warning_only_failure_keeps_success():
    rows = [
        {"s47_id": "S1", "child_id": "C1", "start_date": "2024-02-10", "icpc_date": "2024-02-01"},
        {"s47_id": "S2", "child_id": "C2", "start_date": "2024-02-10", "end_date": "2024-03-01",
         "icpc_not_required": "N", "icpc_date": "2024-02-20", "icpc_outcome_cp_plan": "Y"},
    ]
    helpers = {"_birth_floor": "DATE", "_orphan_child_id": "VARCHAR"}
    outcome = run_rows("s47_enquiries", rows_frame("s47_enquiries", rows, helpers))
    assert outcome.success
    assert failed(outcome) == {("end_before_start", "start_date,icpc_date")}
    warning = by_rule(outcome, "end_before_start", "start_date,icpc_date")
    assert (warning.severity, warning.unexpected_count) == ("warning", 1)
    assert [d[:10] for d in warning.examples[0]] == ["2024-02-10", "2024-02-01"]


def test_datetime_after_the_extract_day_is_caught_but_the_same_day_is_not():
    rows = [{"contact_id": "K1", "child_id": "C1", "contact_datetime": "2024-12-31 23:59", "contact_source": "1A"},
            {"contact_id": "K2", "child_id": "C1", "contact_datetime": "2025-01-01 00:00", "contact_source": "1A"}]
    helpers = {"_birth_floor": "DATE", "_orphan_child_id": "VARCHAR"}
    frame = rows_frame("contacts", rows, helpers)  # _day_after_extract 2025-01-01: extract date 2024-12-31
    outcome = run_rows("contacts", frame)
    late = by_rule(outcome, "date_after_extract", "contact_datetime,_day_after_extract")
    assert late.unexpected_count == 1 and late.unexpected_rows[0]["_source_row"] == 3


def test_pattern_and_all_null_optional_columns():
    rows = [{"child_id": "C1", "contact_date": "2024-01-01", "in_touch": "YES", "accommodation": "B1"},
            {"child_id": "C2", "contact_date": "2024-01-01", "in_touch": "YES", "accommodation": "b3"},
            {"child_id": "C3", "contact_date": "2024-01-01", "in_touch": "YES"}]
    helpers = {"_birth_floor": "DATE", "_orphan_child_id": "VARCHAR"}
    outcome = run_rows("care_leavers", rows_frame("care_leavers", rows, helpers))
    assert failed(outcome) == {("invalid_code", "accommodation")}  # activity is all NULL: no failure
    assert by_rule(outcome, "invalid_code", "accommodation").examples == ["b3"]


def test_a_date_pattern_is_checked_on_its_iso_text():
    """cla_oc2.year_ending must be a 31 March (care.md B.4): GX matches the frame's ISO text of the date,
    the helper pipeline.quality.frames writes, as the loader matches the typed date."""
    rows = [{"child_id": "C1", "year_ending": "2024-03-31", "_iso_year_ending": "2024-03-31", "sdq_score": 40},
            {"child_id": "C2", "year_ending": "2024-03-30", "_iso_year_ending": "2024-03-30", "sdq_score": 41}]
    helpers = {"_birth_floor": "DATE", "_orphan_child_id": "VARCHAR", "_iso_year_ending": "VARCHAR"}
    outcome = run_rows("cla_oc2", rows_frame("cla_oc2", rows, helpers))
    assert failed(outcome) == {("invalid_date", "_iso_year_ending"), ("above_maximum", "sdq_score")}
    assert by_rule(outcome, "invalid_date", "_iso_year_ending").examples == ["2024-03-30"]


def test_las_and_months_frames():
    las = _frame({"la_code": "VARCHAR", "_rows_supplied": "BIGINT", "_quarantine_share": "DOUBLE",
                  "_overlap_share": "DOUBLE", "_missing_columns": "VARCHAR"},
                 [{"la_code": "A", "_rows_supplied": 40, "_quarantine_share": 0.05, "_overlap_share": 0.0},
                  {"la_code": "B", "_rows_supplied": 0, "_quarantine_share": 0.0, "_overlap_share": 0.2,
                   "_missing_columns": "start_date"},
                  {"la_code": "C", "_rows_supplied": 4, "_quarantine_share": 0.5, "_overlap_share": 0.0}])
    outcome = run_suite(frame_suite(load_suite("cp_plans"), "las"), las, parameters=PARAMS, index_columns=["la_code"])
    bad = {o.rule: sorted(r["la_code"] for r in o.unexpected_rows) for o in outcome.outcomes if not o.success}
    assert bad == {"file_has_rows": ["B"], "missing_column": ["B"], "quarantine_share": ["C"], "overlap_share": ["B"]}
    months = _frame({"la_code": "VARCHAR", "_month": "VARCHAR", "_month_rows": "BIGINT",
                     "_previous_month_rows": "BIGINT", "_month_ratio": "DOUBLE"},
                    [{"la_code": "A", "_month": "2024-01", "_month_rows": 30},
                     {"la_code": "A", "_month": "2024-02", "_month_rows": 59, "_previous_month_rows": 30,
                      "_month_ratio": 59 / 30},
                     {"la_code": "A", "_month": "2024-03", "_month_rows": 0, "_previous_month_rows": 59,
                      "_month_ratio": 0.0}])
    outcome = run_suite(frame_suite(load_suite("cp_plans"), "months"), months, parameters=PARAMS,
                        index_columns=["la_code", "_month"])
    [volume] = outcome.outcomes
    assert outcome.success and not volume.success  # a warning
    assert [r["_month"] for r in volume.unexpected_rows] == ["2024-03"]


@pytest.mark.parametrize("entity", entity_names())
def test_every_entity_suite_passes_an_empty_loaded_table(entity):
    helpers = EMPTY_HELPERS
    assert set(load_suite(entity)["meta"]["helper_columns"].get("rows", {})) <= set(helpers) | {"_day_after_extract"}
    outcome = run_rows(entity, rows_frame(entity, [], helpers))
    assert outcome.success
    assert not [o for o in outcome.outcomes if o.exception]


EMPTY_HELPERS = {"_birth_floor": "DATE", "_orphan_child_id": "VARCHAR", "_overlaps_with": "VARCHAR",
                 "_one_of": "DATE", "_unknown_cin_plans": "VARCHAR", "_cin_plans_start_date": "DATE",
                 "_earliest_initiated_date_discussion_date": "DATE", "_iso_year_ending": "VARCHAR"}


def test_an_empty_frame_gives_what_gx_gives_without_validating_the_row_wise_expectations(monkeypatch):
    """On an empty rows frame (the usual case: only suspect rows are in it) the row-wise expectations pass
    without GX (gx_runner.ROW_WISE); their outcomes must equal GX's own. cla_oc2's suite has every kind."""
    from dataclasses import asdict

    from pipeline.quality import gx_runner

    assert {e["type"] for e in frame_suite(load_suite("cla_oc2"), "rows")["expectations"]} >= gx_runner.ROW_WISE
    frame = rows_frame("cla_oc2", [], EMPTY_HELPERS)
    shortcut = run_rows("cla_oc2", frame)
    monkeypatch.setattr(gx_runner, "ROW_WISE", frozenset())  # every expectation through GX
    assert [asdict(o) for o in shortcut.outcomes] == [asdict(o) for o in run_rows("cla_oc2", frame).outcomes]


def test_a_column_of_the_wrong_type_fails_on_an_empty_frame_too():
    frame = rows_frame("cp_plans", [], PLAN_HELPERS | {"start_date": "INTEGER"})
    assert ("invalid_date", "start_date") in failed(run_rows("cp_plans", frame))


# --- indicator suite ------------------------------------------------------------------------

def indicator_rows(**override) -> list[dict]:
    base = {"la_code": "E09000001", "period_type": "month", "period_start": "2024-01-01",
            "period_end": "2024-01-31", "dimension": "all", "dimension_value": "all", "_kind": "value"}
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


def run_indicators(rows):
    return run_suite(load_suite(INDICATOR_SUITE_NAME), _frame(INDICATOR_TYPES, rows), parameters=PARAMS)


def test_good_indicator_frame_passes():
    outcome = run_indicators(indicator_rows())
    assert outcome.success, [o for o in outcome.outcomes if not o.success]


@pytest.mark.parametrize("override, expected", [
    ({"numerator": 48, "value": 120.0}, {("percent_range", "value"), ("numerator_le_denominator", "numerator,denominator")}),
    ({"numerator": 41}, {("numerator_le_denominator", "numerator,denominator")}),
    ({"value": 120.0}, {("percent_range", "value")}),
    ({"period_type": "week"}, {("period_type", "period_type")}),
    ({"indicator_id": "REF_COUNT", "unit": "count"},
     {("unique_key", "la_code,indicator_id,period_type,period_end,dimension,dimension_value")}),
    ({"period_start": "2024-02-01"}, {("period_order", "period_start,period_end")}),
    ({"_kind": "missing", "numerator": None, "denominator": None, "value": None}, {("missing_month", "_kind")}),
])
def test_bad_indicator_frames_fail(override, expected):
    outcome = run_indicators(indicator_rows(**override))
    assert not outcome.success
    assert failed(outcome) == expected


def test_month_on_month_jump_is_a_warning():
    outcome = run_indicators(indicator_rows(_month_ratio=2.5))
    assert outcome.success
    assert failed(outcome) == {("month_jump", "_month_ratio")}
    assert by_rule(outcome, "month_jump", "_month_ratio").severity == "warning"
    assert failed(run_indicators(indicator_rows(_month_ratio=1.9))) == set()


def test_percent_example_reported():
    outcome = run_indicators(indicator_rows(value=120.0))
    assert by_rule(outcome, "percent_range", "value").examples == [120.0]


def test_data_docs_written(tmp_path):
    from pipeline.quality.gx_runner import build_data_docs

    frame = rows_frame("cp_plans", GOOD_PLANS, PLAN_HELPERS)
    outcome = run_suite(frame_suite(load_suite("cp_plans"), "rows"), frame, data_docs_dir=tmp_path,
                        parameters=PARAMS, run_name="X1 cp_plans")
    assert outcome.success
    index = build_data_docs(tmp_path)
    assert index == tmp_path / "index.html" and index.exists()
    assert (tmp_path / "expectations" / "cp_plans" / "rows.html").exists()
    assert len(list((tmp_path / "validations" / "cp_plans" / "rows").rglob("*.html"))) == 1
    assert "X1 cp_plans" in index.read_text()
