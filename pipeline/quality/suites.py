"""Build Great Expectations 1.x suite JSON from the entity spec and the indicator contract.

The suites are plain dicts in the shape `ExpectationSuite.to_json_dict()` produces, so building
them needs no GX import; `python -m pipeline.quality.suites` writes them to expectations/.
Every expectation carries meta {"severity": "error"|"warning", "rule": ...}: error blocks the LA,
warning is only reported. GX's own `severity` field is set to match (critical/warning).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "pipeline" / "specs" / "entities.yml"
CODE_LISTS_PATH = REPO_ROOT / "seeds" / "code_lists.csv"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

INDICATOR_SUITE_NAME = "indicator_values"
FLAG_VALUES = ["N", "Y"]  # the loader normalises flags to Y/N
PERIOD_TYPES = ["month", "fytd", "r12m"]
UNITS = ["count", "percent", "rate_per_10k"]
INDICATOR_KEY = ["la_code", "indicator_id", "period_type", "period_end", "dimension", "dimension_value"]
INDICATOR_COLUMNS = [
    "la_code", "indicator_id", "period_type", "period_start", "period_end",
    "dimension", "dimension_value", "numerator", "denominator", "value", "unit",
]
INDICATOR_REQUIRED = [c for c in INDICATOR_COLUMNS if c not in ("numerator", "denominator", "value")]
# indicators.md: S47_TO_ICPC is a ChAT-style ratio of two independent counts in the period
# (ICPCs held / S47s started), so it legitimately exceeds 100% when ICPCs outnumber new S47s.
RATIO_OF_COUNTS_INDICATORS = ["S47_TO_ICPC"]

_GX_SEVERITY = {"error": "critical", "warning": "warning"}


def _expectation(type_: str, severity: str, rule: str, **kwargs) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"rule": rule, "severity": severity},
        "severity": _GX_SEVERITY[severity],
    }


def _suite(name: str, expectations: list[dict], meta: dict) -> dict:
    return {"name": name, "id": None, "expectations": expectations, "meta": meta, "notes": None}


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


def _non_capturing(pattern: str) -> str:
    """GX matches with pandas str.contains, which warns on capture groups; groups are not used."""
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern)


@lru_cache(maxsize=1)
def load_entity_spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


@lru_cache(maxsize=1)
def load_code_lists() -> dict[str, list[str]]:
    lists: dict[str, list[str]] = defaultdict(list)
    with CODE_LISTS_PATH.open(newline="") as f:
        for row in csv.DictReader(f):
            lists[row["list_name"]].append(row["code"])
    return dict(lists)


def entity_names() -> list[str]:
    return list(load_entity_spec())


def build_entity_suite(entity: str) -> dict:
    """Suite for one loaded raw.<entity> frame (spec columns + la_code + lineage), one LA at a time."""
    spec = load_entity_spec()[entity]
    code_lists = load_code_lists()
    exps: list[dict] = []
    for column in ("la_code", *spec["columns"]):
        exps.append(_expectation("expect_column_to_exist", "error", "column_present", column=column))
    exps.append(_expectation("expect_column_values_to_not_be_null", "error", "required", column="la_code"))

    for column, col in spec["columns"].items():
        if col.get("required"):
            exps.append(_expectation("expect_column_values_to_not_be_null", "error", "required", column=column))
        if "codes" in col:
            exps.append(_expectation(
                "expect_column_values_to_be_in_set", "error", "code_list",
                column=column, value_set=code_lists[col["codes"]],
            ))
        if col["type"] == "flag":
            exps.append(_expectation(
                "expect_column_values_to_be_in_set", "error", "flag", column=column, value_set=FLAG_VALUES,
            ))
        if "pattern" in col:
            exps.append(_expectation(
                "expect_column_values_to_match_regex", "error", "pattern",
                column=column, regex=_non_capturing(col["pattern"]),
            ))
        if "min" in col:
            exps.append(_expectation(
                "expect_column_values_to_be_between", "error", "min_value",
                column=column, min_value=float(col["min"]),
            ))

    if "key" in spec:
        # Keys are unique per LA; the caller validates one LA's frame at a time.
        exps.append(_expectation("expect_column_values_to_be_unique", "error", "unique_key", column=spec["key"]))

    for earlier, later, severity in spec.get("order", []):
        exps.append(_expectation(
            "expect_column_pair_values_a_to_be_greater_than_b", severity, "date_order",
            column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing",
        ))

    meta = {
        "entity": entity,
        "generated_by": "pipeline.quality.suites",
        "sources": ["pipeline/specs/entities.yml", "seeds/code_lists.csv"],
    }
    return _suite(entity, exps, meta)


def build_indicator_suite() -> dict:
    """Suite for a published.indicator_values frame with the catalogue's `unit` joined on."""
    exps: list[dict] = [
        _expectation("expect_column_to_exist", "error", "column_present", column=c) for c in INDICATOR_COLUMNS
    ]
    exps += [
        _expectation("expect_column_values_to_not_be_null", "error", "required", column=c)
        for c in INDICATOR_REQUIRED
    ]
    exps += [
        _expectation("expect_column_values_to_be_in_set", "error", "period_type",
                     column="period_type", value_set=PERIOD_TYPES),
        _expectation("expect_column_values_to_be_in_set", "error", "unit", column="unit", value_set=UNITS),
        _expectation("expect_compound_columns_to_be_unique", "error", "unique_key", column_list=INDICATOR_KEY),
        _expectation(
            "expect_column_values_to_be_between", "error", "percent_range",
            column="value", min_value=0.0, max_value=100.0,
            row_condition=_and(_equals("unit", "percent"), _not_in("indicator_id", RATIO_OF_COUNTS_INDICATORS)),
        ),
        _expectation(
            "expect_column_values_to_be_between", "error", "non_negative",
            column="value", min_value=0.0, row_condition=_in("unit", ["count", "rate_per_10k"]),
        ),
        _expectation("expect_column_values_to_be_between", "error", "non_negative",
                     column="numerator", min_value=0.0),
        _expectation("expect_column_values_to_be_between", "error", "non_negative",
                     column="denominator", min_value=0.0),
        _expectation(
            "expect_column_pair_values_a_to_be_greater_than_b", "error", "numerator_le_denominator",
            column_A="denominator", column_B="numerator", or_equal=True, ignore_row_if="either_value_is_missing",
            row_condition=_not_in("indicator_id", RATIO_OF_COUNTS_INDICATORS),
        ),
        _expectation(
            "expect_column_pair_values_a_to_be_greater_than_b", "error", "period_order",
            column_A="period_end", column_B="period_start", or_equal=True, ignore_row_if="either_value_is_missing",
        ),
    ]
    meta = {
        "generated_by": "pipeline.quality.suites",
        "sources": ["shared/spec/warehouse.md", "shared/spec/indicators.md"],
        "table": "published.indicator_values",
    }
    return _suite(INDICATOR_SUITE_NAME, exps, meta)


def all_suites() -> dict[str, dict]:
    suites = {entity: build_entity_suite(entity) for entity in entity_names()}
    suites[INDICATOR_SUITE_NAME] = build_indicator_suite()
    return suites


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
