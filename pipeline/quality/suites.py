"""Build Great Expectations 1.x suite JSON from the entity spec and the indicator contract.

The suites are plain dicts in the shape `ExpectationSuite.to_json_dict()` produces, so building
them needs no GX import; `python -m pipeline.quality.suites` writes them to expectations/.

Every expectation carries meta {"rule", "severity", "check", "frame"}: `rule` is the same name the
loader uses in audit.quarantine (unknown_code, before_birth, ...); `severity` error holds the LA
back and warning is only reported (GX's own `severity` is set to match: critical/warning);
`check` names the Dagster asset check that reports it; `frame` names the frame it is validated on.
An entity's rules need three frames, all covering every LA of a refresh at once (one GX
validation per frame, however many LAs) and built in DuckDB by pipeline.quality.frames:

- rows: the rows that loaded, with helper columns for rules that look outside the row (the
  extract date, the child's date of birth, the children file, the child's other plans); only
  the rows some expectation could find unexpected are put in it (frames.suspect_condition);
- las: one row per LA that supplied the entity (rows supplied, quarantine and overlap shares,
  required columns the file lacks);
- months: one row per LA and month of the entity's volume date (rows, last month's rows).

Thresholds are suite parameters ({"$PARAMETER": name}) filled from the refresh settings at
validation time (PARAMETERS). Helper columns start with '_' and are described in the suite meta.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.paths import EXPECTATIONS_DIR, PROJECT_DIR as REPO_ROOT
from pipeline.specs import checked_against_children, children_entity, code_lists, entities

INDICATOR_SUITE_NAME = "indicator_values"
INDICATOR_CHECK = "indicator_values_suite"  # the blocking Dagster asset check (pipeline/defs/checks/indicators.py)
FLAG_VALUES = ["N", "Y"]  # the loader normalises flags to Y/N
PERIOD_TYPES = ["month", "fytd", "r12m"]
UNITS = ["count", "percent", "rate_per_10k", "average", "days", "weeks"]
INDICATOR_KEY = ["la_code", "indicator_id", "period_type", "period_end", "dimension", "dimension_value"]
INDICATOR_COLUMNS = [
    "la_code", "indicator_id", "period_type", "period_start", "period_end",
    "dimension", "dimension_value", "numerator", "denominator", "value", "unit",
]
INDICATOR_REQUIRED = [c for c in INDICATOR_COLUMNS if c not in ("numerator", "denominator", "value")]
# indicators.md: S47_TO_ICPC is a ChAT-style ratio of two independent counts in the period
# (ICPCs held / S47s started), so it legitimately exceeds 100% when ICPCs outnumber new S47s.
RATIO_OF_COUNTS_INDICATORS = ["S47_TO_ICPC"]

# The date whose month counts a row in the month-on-month volume check. Children (no event date)
# and care leavers (latest contact only, bunched in recent months) have no monthly volume.
VOLUME_DATE = {
    "contacts": "contact_datetime", "referrals": "referral_date", "assessments": "start_date",
    "strategy_discussions": "discussion_date", "s47_enquiries": "start_date", "cin_plans": "start_date",
    "cp_plans": "start_date", "cp_reviews": "review_date", "cla_episodes": "start_date", "visits": "visit_date",
    "cin_reviews": "review_date", "early_help_episodes": "start_date", "supervisions": "supervision_date",
    "allocations": "start_date",
}
# Months (or indicator values) resting on fewer rows than this are too noisy to judge a jump.
MIN_VOLUME_BASE = 20
OVERLAP_ENTITIES = {"cp_plans": "cp_plan_id", "cla_episodes": "episode_id"}

# Suite parameters and the RefreshSettings field each comes from (see parameters()).
PARAMETERS = {
    "max_quarantine_share": "share of supplied rows that may be quarantined (extracts.md: default 5%)",
    "max_overlap_share": "share of CP plans / CLA episodes that may overlap another of the same child",
    "min_volume_ratio": "1 / volume_change_factor",
    "max_volume_ratio": "volume_change_factor: this month's rows / last month's",
    "min_indicator_ratio": "1 / indicator_change_factor",
    "max_indicator_ratio": "indicator_change_factor: this month's value / last month's",
}

# Helper columns of the entity frames (pipeline.quality.frames computes them in DuckDB).
ENTITY_HELPERS = {
    "rows": {
        "_day_after_extract": "the LA manifest's extract_date + 1 day: every date must be before it",
        "_orphan_child_id": "child_id when it is not among the LA's loaded children",
        "_overlaps_with": "the id of another plan/episode of the same child sharing a day with this one",
        "_one_of": "the first given of the entity's one_of columns (entities.yml): one is required",
        # a reference to another entity (entities.yml `references`): one pair of columns per referenced entity
        "_unknown_{entity}": "the first reference column's value when no row of {entity} of the LA matches the row",
        "_{entity}_{column}": "that column of the {entity} row the row references",
        "_earliest_{columns}": "the earliest of these date columns that is given (an `order` from the earliest of several)",
        "_iso_{column}": "that date column as YYYY-MM-DD text, which its `pattern` must match",
    },
    "las": {
        "_rows_supplied": "rows in the LA's file",
        "_quarantine_share": "rows quarantined / rows supplied",
        "_overlap_share": "plans/episodes overlapping another of the same child / plans/episodes loaded",
        "_missing_columns": "required columns the LA's file lacks (comma-separated), null when none",
    },
    "months": {
        "_month": "the month (YYYY-MM) of the volume date, from the LA's first month with rows, or the first of the history_months reported, to its last complete month",
        "_month_rows": "loaded rows whose volume date falls in the month",
        "_previous_month_rows": "the same for the month before",
        "_month_ratio": f"_month_rows / _previous_month_rows, when the month before had at least {MIN_VOLUME_BASE} rows",
    },
}


def entity_helpers() -> dict[str, dict[str, str]]:
    """ENTITY_HELPERS with _birth_floor described as entities.yml states it."""
    kids = children_entity()
    if kids is None:
        return ENTITY_HELPERS
    floor = ", ".join(t.column + (f" - {t.months_before} months" if t.months_before else "") for t in kids.birth_floor)
    rows = {**ENTITY_HELPERS["rows"],
            "_birth_floor": f"the earliest given of the child's {floor}: no event before it"}
    return {**ENTITY_HELPERS, "rows": rows}


INDICATOR_HELPERS = {
    "_kind": "value (a built indicator row) or missing (a reported month with no row for an indicator whose "
             "entities the LA supplied)",
    "_month_ratio": "monthly values of dimension all: value / the month before's value, when the count behind "
                    f"the month before's value (numerator, or the count itself) is at least {MIN_VOLUME_BASE}",
}

FRAME_DESCRIPTIONS = {
    "rows": "the rows that loaded and that some expectation here could find unexpected (the others pass every "
            "rule: pipeline.quality.frames), every LA of the refresh, with helper columns",
    "las": "one row per LA that supplied the entity",
    "months": "one row per LA and month of the volume date",
    "values": "the built indicators with the catalogue unit, plus a row per missing month",
}
# dtype names pandas gives DuckDB DATE / TIMESTAMP columns ("datetime64" is how GX reports them)
DATETIME_DTYPES = ["datetime64", "datetime64[s]", "datetime64[ms]", "datetime64[us]", "datetime64[ns]"]
_GX_SEVERITY = {"error": "critical", "warning": "warning"}


def parameters(settings) -> dict[str, float]:
    """The suite parameters' values for one refresh (settings: a RefreshSettings)."""
    return {
        "max_quarantine_share": settings.max_quarantine_share,
        "max_overlap_share": settings.max_overlap_share,
        "min_volume_ratio": 1.0 / settings.volume_change_factor,
        "max_volume_ratio": settings.volume_change_factor,
        "min_indicator_ratio": 1.0 / settings.indicator_change_factor,
        "max_indicator_ratio": settings.indicator_change_factor,
    }


def _expectation(type_: str, severity: str, rule: str, check: str, frame: str = "rows", **kwargs) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"rule": rule, "severity": severity, "check": check, "frame": frame},
        "severity": _GX_SEVERITY[severity],
    }


def _suite(name: str, expectations: list[dict], meta: dict) -> dict:
    return {"name": name, "id": None, "expectations": expectations, "meta": meta, "notes": None}


def _param(name: str) -> dict:
    assert name in PARAMETERS, name
    return {"$PARAMETER": name}


def with_parameters(expectation: dict, values: dict) -> dict:
    """The expectation with each _param replaced by its value (parameters(settings)), as GX fills it."""
    kwargs = {k: values[v["$PARAMETER"]] if isinstance(v, dict) and "$PARAMETER" in v else v
              for k, v in expectation["kwargs"].items()}
    return dict(expectation, kwargs=kwargs)


# Row conditions in GX 1.24's serialised Condition form (string conditions with
# condition_parser are deprecated since GX 1.9; the pandas engine turns these into a .query()).
def _equals(column: str, value) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "==", "parameter": value}


def _in(column: str, values: list) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "IN", "parameter": values}


def _not_in(column: str, values: list) -> dict:
    return {"type": "comparison", "column": {"name": column}, "operator": "NOT_IN", "parameter": values}


def _and(*conditions: dict) -> dict:
    return {"type": "and", "conditions": list(conditions)}


def _nullity(column: str, is_null: bool) -> dict:
    return {"type": "nullity", "column": {"name": column}, "is_null": is_null}


def _meets(test: tuple) -> dict:
    """A side of an entities.yml condition, (column, 'given' | 'empty' | codes), as a GX row condition."""
    column, wanted = test
    return _nullity(column, wanted == "empty") if isinstance(wanted, str) else _in(column, list(wanted))


def reference_helpers(reference) -> tuple[str, dict[str, str]]:
    """The rows-frame helper columns of one reference: the unknown-reference column, and per order the
    referenced row's date column (helper name -> the referenced entity's column)."""
    return (f"_unknown_{reference.entity}",
            {f"_{reference.entity}_{o.earlier}": o.earlier for o in reference.order})


def _non_capturing(pattern: str) -> str:
    """GX matches with pandas str.contains, which warns on capture groups; groups are not used."""
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)


def entity_names() -> list[str]:
    return list(entities())


def build_entity_suite(name: str) -> dict:
    """Every rule of extracts.md that concerns one entity, on its rows, las and months frames."""
    entity = entities()[name]
    lists = code_lists()
    exps: list[dict] = []

    def rule(type_: str, rule_name: str, check: str = "row_rules", severity: str = "error", frame: str = "rows",
             **kwargs) -> None:
        exps.append(_expectation(type_, severity, rule_name, check, frame, **kwargs))

    # dataset level, per LA: the file has rows and every required column
    if entity.required:
        rule("expect_column_values_to_be_between", "file_has_rows", "file_usable", frame="las",
             column="_rows_supplied", min_value=1)
    rule("expect_column_values_to_be_null", "missing_column", "file_usable", frame="las", column="_missing_columns")

    # row level, on the rows that loaded: the loader quarantined every row breaking these, so a
    # failure here means a bad row got through and the LA is held back
    rule("expect_column_values_to_not_be_null", "required", column="la_code")
    for col in entity.columns:
        if col.required:
            rule("expect_column_values_to_not_be_null", "required", column=col.name)
        if col.is_date:
            rule("expect_column_values_to_be_in_type_list", f"invalid_{col.type}", column=col.name,
                 type_list=DATETIME_DTYPES)
        if col.codes:
            rule("expect_column_values_to_be_in_set", "unknown_code", column=col.name, value_set=list(lists[col.codes]))
        if col.type == "flag":
            rule("expect_column_values_to_be_in_set", "invalid_flag", column=col.name, value_set=FLAG_VALUES)
        if col.pattern:  # a date: on its ISO text (helper column), as the loader matches it
            rule("expect_column_values_to_match_regex", "invalid_date" if col.is_date else "invalid_code",
                 column=f"_iso_{col.name}" if col.is_date else col.name, regex=_non_capturing(col.pattern))
        if col.min is not None:
            rule("expect_column_values_to_be_between", "below_minimum", column=col.name, min_value=float(col.min),
                 **({"strict_min": True} if col.min_exclusive else {}))
        if col.max is not None:
            rule("expect_column_values_to_be_between", "above_maximum", column=col.name, max_value=float(col.max))
    if entity.one_of:
        rule("expect_column_values_to_not_be_null", "required", column="_one_of")
    if entity.key:
        rule("expect_compound_columns_to_be_unique", "duplicate_id", column_list=["la_code", entity.key])
    if entity.unique:
        rule("expect_compound_columns_to_be_unique", "duplicate_id", column_list=["la_code", *entity.unique])
    for order in entity.order:
        rule("expect_column_pair_values_a_to_be_greater_than_b", order.rule, severity=order.severity,
             column_A=order.later, column_B=order.helper, or_equal=True, ignore_row_if="either_value_is_missing")
    for condition in entity.conditions:  # when a row meets `if`, it meets `then`
        column, wanted = condition.then
        test = ({"type": "expect_column_values_to_be_in_set", "value_set": list(wanted)} if isinstance(wanted, tuple)
                else {"type": f"expect_column_values_to_{'not_' if wanted == 'given' else ''}be_null"})
        rule(test.pop("type"), condition.rule, severity=condition.severity, column=column,
             row_condition=_meets(condition.if_), **test)
    for reference in entity.references:
        unknown, dates = reference_helpers(reference)
        rule("expect_column_values_to_be_null", "unknown_reference", column=unknown)
        for (helper, _), order in zip(dates.items(), reference.order):
            rule("expect_column_pair_values_a_to_be_greater_than_b", order.rule, severity=order.severity,
                 column_A=order.later, column_B=helper, or_equal=True, ignore_row_if="either_value_is_missing")
    for col in entity.columns:
        if col.is_date and not col.future_allowed:
            rule("expect_column_pair_values_a_to_be_greater_than_b", "date_after_extract", column_A="_day_after_extract",
                 column_B=col.name, or_equal=False, ignore_row_if="either_value_is_missing")
    if checked_against_children(entity):
        rule("expect_column_values_to_be_null", "orphan_child", column="_orphan_child_id")
        for col in entity.columns:
            if col.is_date:
                rule("expect_column_pair_values_a_to_be_greater_than_b", "before_birth", column_A=col.name,
                     column_B="_birth_floor", or_equal=True, ignore_row_if="either_value_is_missing")

    # dataset level, per LA: quarantine share, overlaps; monthly volume
    rule("expect_column_values_to_be_between", "quarantine_share", "quarantine_share", frame="las",
         column="_quarantine_share", max_value=_param("max_quarantine_share"))
    if name in OVERLAP_ENTITIES:
        # any overlap is reported; beyond the threshold share it holds the LA back
        rule("expect_column_values_to_be_null", "overlap", "no_overlaps", severity="warning", column="_overlaps_with")
        rule("expect_column_values_to_be_between", "overlap_share", "no_overlaps", frame="las",
             column="_overlap_share", max_value=_param("max_overlap_share"))
    if name in VOLUME_DATE:
        rule("expect_column_values_to_be_between", "volume_change", "volume", severity="warning", frame="months",
             column="_month_ratio", min_value=_param("min_volume_ratio"), max_value=_param("max_volume_ratio"))

    frames = list(dict.fromkeys(e["meta"]["frame"] for e in exps))
    meta = {
        "entity": name,
        "generated_by": "pipeline.quality.suites",
        "sources": ["pipeline/specs/entities.yml", "seeds/code_lists.csv", "docs/extracts.md"],
        "default_frame": "rows",
        "frames": {f: FRAME_DESCRIPTIONS[f] for f in ("rows", "las", "months") if f in frames},
        "helper_columns": {f: {c: text for c, text in _helpers(entity)[f].items() if f'"{c}"' in json.dumps(exps)}
                           for f in ("rows", "las", "months") if f in frames},
        "parameters": {k: v for k, v in PARAMETERS.items() if any(_param_used(e, k) for e in exps)},
        "volume_date": VOLUME_DATE.get(name),
    }
    return _suite(name, exps, meta)


def _helpers(entity) -> dict[str, dict[str, str]]:
    """entity_helpers() with the entity's reference helpers named and described."""
    helpers = entity_helpers()
    rows = {c: t for c, t in helpers["rows"].items() if "{" not in c}
    rows |= {o.helper: ENTITY_HELPERS["rows"]["_earliest_{columns}"] for o in entity.order if o.helper != o.earlier}
    rows |= {f"_iso_{c.name}": ENTITY_HELPERS["rows"]["_iso_{column}"] for c in entity.columns if c.is_date and c.pattern}
    for reference in entity.references:
        unknown, dates = reference_helpers(reference)
        rows[unknown] = ENTITY_HELPERS["rows"]["_unknown_{entity}"].format(entity=reference.entity)
        rows |= {h: ENTITY_HELPERS["rows"]["_{entity}_{column}"].format(entity=reference.entity, column=c)
                 for h, c in dates.items()}
    return {**helpers, "rows": rows}


def frame_suite(suite: dict, frame: str) -> dict:
    """The part of a suite validated on one frame, as a suite of its own (named <suite>.<frame>).

    An expectation without meta.frame (one added by hand) belongs to the suite's default frame."""
    return dict(suite, name=f"{suite['name']}.{frame}",
                expectations=[e for e in suite["expectations"] if _frame_of(suite, e) == frame])


def frames_of(suite: dict) -> list[str]:
    return list(dict.fromkeys(_frame_of(suite, e) for e in suite["expectations"]))


def _frame_of(suite: dict, expectation: dict) -> str:
    return expectation.get("meta", {}).get("frame") or suite["meta"].get("default_frame", "rows")


def _param_used(expectation: dict, name: str) -> bool:
    return {"$PARAMETER": name} in expectation["kwargs"].values()


def build_indicator_suite() -> dict:
    """Suite for the built indicator frame (pipeline.defs.checks.indicators): values + catalogue unit + helpers."""
    exps: list[dict] = [
        _expectation("expect_column_to_exist", "error", "column_present", INDICATOR_CHECK, "values", column=c)
        for c in INDICATOR_COLUMNS
    ]
    exps += [
        _expectation("expect_column_values_to_not_be_null", "error", "required", INDICATOR_CHECK, "values", column=c)
        for c in INDICATOR_REQUIRED
    ]
    exps += [
        _expectation("expect_column_values_to_be_in_set", "error", "period_type", INDICATOR_CHECK, "values",
                     column="period_type", value_set=PERIOD_TYPES),
        _expectation("expect_column_values_to_be_in_set", "error", "unit", INDICATOR_CHECK, "values", column="unit",
                     value_set=UNITS),
        _expectation("expect_compound_columns_to_be_unique", "error", "unique_key", INDICATOR_CHECK, "values",
                     column_list=INDICATOR_KEY),
        _expectation(
            "expect_column_values_to_be_between", "error", "percent_range", INDICATOR_CHECK, "values",
            column="value", min_value=0.0, max_value=100.0,
            row_condition=_and(_equals("unit", "percent"), _not_in("indicator_id", RATIO_OF_COUNTS_INDICATORS)),
        ),
        _expectation(
            "expect_column_values_to_be_between", "error", "non_negative", INDICATOR_CHECK, "values",
            column="value", min_value=0.0, row_condition=_in("unit", ["count", "rate_per_10k", "average", "days", "weeks"]),
        ),
        _expectation("expect_column_values_to_be_between", "error", "non_negative", INDICATOR_CHECK, "values",
                     column="numerator", min_value=0.0),
        _expectation("expect_column_values_to_be_between", "error", "non_negative", INDICATOR_CHECK, "values",
                     column="denominator", min_value=0.0),
        _expectation(
            "expect_column_pair_values_a_to_be_greater_than_b", "error", "numerator_le_denominator", INDICATOR_CHECK, "values",
            column_A="denominator", column_B="numerator", or_equal=True, ignore_row_if="either_value_is_missing",
            # an average (children per worker) or a days / weeks mean (days over children) is a ratio of
            # different things: no order between them
            row_condition=_and(_not_in("indicator_id", RATIO_OF_COUNTS_INDICATORS),
                               _not_in("unit", ["average", "days", "weeks"])),
        ),
        _expectation(
            "expect_column_pair_values_a_to_be_greater_than_b", "error", "period_order", INDICATOR_CHECK, "values",
            column_A="period_end", column_B="period_start", or_equal=True, ignore_row_if="either_value_is_missing",
        ),
        # every reported month has a row for every indicator whose entities the LA supplied
        _expectation("expect_column_values_to_be_in_set", "error", "missing_month", INDICATOR_CHECK, "values",
                     column="_kind", value_set=["value"]),
        _expectation(
            "expect_column_values_to_be_between", "warning", "month_jump", INDICATOR_CHECK, "values",
            column="_month_ratio", min_value=_param("min_indicator_ratio"), max_value=_param("max_indicator_ratio"),
        ),
    ]
    meta = {
        "generated_by": "pipeline.quality.suites",
        "sources": ["docs/warehouse.md", "docs/indicators.md"],
        "table": "marts.fct_indicator_values",
        "default_frame": "values",
        "frames": {"values": FRAME_DESCRIPTIONS["values"]},
        "helper_columns": {"values": INDICATOR_HELPERS},
        "parameters": {k: v for k, v in PARAMETERS.items() if "indicator" in k},
        "min_base": MIN_VOLUME_BASE,
    }
    return _suite(INDICATOR_SUITE_NAME, exps, meta)


def all_suites() -> dict[str, dict]:
    suites = {entity: build_entity_suite(entity) for entity in entity_names()}
    suites[INDICATOR_SUITE_NAME] = build_indicator_suite()
    return suites


def checks_of(suite: dict) -> list[str]:
    """The Dagster asset checks a suite reports into, in order of first appearance."""
    return list(dict.fromkeys(e["meta"]["check"] for e in suite["expectations"]))


def suite_json(suite: dict) -> str:
    return json.dumps(suite, indent=2, sort_keys=True) + "\n"


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, suite in all_suites().items():
        path = directory / f"{name}.json"
        path.write_text(suite_json(suite))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_suites():
        print(path.relative_to(REPO_ROOT))
