"""Run a GX suite (JSON dict from `suites`) on a pandas DataFrame and summarise the outcome.

GX's SQL datasource does not work on DuckDB, so callers read a table with DuckDB's `.df()` and
validate the frame here. One ephemeral GX context (pandas datasource, dataframe asset,
whole-dataframe batch definition) is created per process and reused: creating it is cheap, but
importing great_expectations takes seconds, so the import happens on first use (or `prepare`) only,
with the garbage collector paused. A refresh runs this module in a process of its own, which imports
GX while the first entities load (pipeline.runtime.gx_process).

Data Docs: each validation run with a `data_docs_dir` is stored; `build_data_docs` renders what is
stored and not yet rendered. A refresh renders the entity gates' while dbt starts, and the indicator
gate's after it (`render_pending_docs`, also called when a run fails before), not once per entity:
GX compiles its page templates on every call.

Suite parameters ({"$PARAMETER": name}) take their values from `parameters`; `index_columns`
(e.g. the source row) are reported beside each failing example so a person can find the row.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.cut import cut
from pipeline.runtime.gc_paused import gc_paused
from pipeline.quality.suites import EXPECTATIONS_DIR

# GX probes for Spark Connect when it is imported, and pyspark's probe calls sys.exit(0) when the
# process's __main__ is not a file (as in a run the Dagster daemon launches) and Connect's extras are
# missing: every run the daemon started failed in its first gate. The frames here are pandas, so GX is
# told there is no Spark Connect (the Spark engine runs dbt in its own process, untouched by this).
sys.modules.setdefault("pyspark.sql.connect", None)

MAX_EXAMPLES = 5
# Ask GX for more than we keep: its partial list repeats values (a duplicated key appears twice).
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
_docs_dirs: list[str] = []  # Data Docs sites registered in this process, latest last
_unrendered: dict[str, list] = {}  # site name -> validation results and suites stored but not yet rendered
_DATASOURCE, _ASSET, _BATCH = "frames", "frame", "whole_frame"


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None  # the column; "earlier,later" for pair checks; "a,b,..." for compound keys
    severity: str  # "error" | "warning"
    rule: str
    success: bool
    unexpected_count: int
    element_count: int
    examples: list  # up to 5 distinct unexpected values, JSON-safe
    exception: str | None = None  # set when GX raised while evaluating the expectation
    check: str | None = None  # meta "check": the Dagster asset check reporting it
    example_rows: list = field(default_factory=list)  # up to 5 {index column: value, column: value}
    unexpected_rows: list | None = None  # with index_columns: every unexpected row's index values (+ value)
    observed: Any = None  # aggregate expectations (row count, mean): the observed value


@dataclass
class SuiteOutcome:
    suite: str
    success: bool  # False iff some error-severity expectation failed
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def load_suite(name: str, expectations_dir: Path | None = None) -> dict:
    path = (expectations_dir or EXPECTATIONS_DIR) / f"{name}.json"
    return json.loads(path.read_text())


@lru_cache(maxsize=1)
def _gx():
    """The process-wide ephemeral context and its whole-dataframe batch definition."""
    with gc_paused():  # GX's import makes thousands of classes, all kept
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX logs routine steps at INFO ("Created temporary directory ..."); only its warnings matter here
    for name in ("great_expectations", "great_expectations.data_context.types.base"):  # the latter sets INFO itself
        logging.getLogger(name).setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas(_DATASOURCE).add_dataframe_asset(_ASSET)
    return gx, context, asset.add_batch_definition_whole_dataframe(_BATCH)


def prepare() -> None:
    """Import GX and make the context now, not at the first validation."""
    _gx()


@lru_cache(maxsize=64)
def _suite_object(suite_json: str):
    """Parsed ExpectationSuite, with each expectation's id set to its position in the JSON.

    GX returns results in its own order; the ids map them back to suite order.
    """
    gx, _, _ = _gx()
    suite = gx.ExpectationSuite(**json.loads(suite_json))
    for position, expectation in enumerate(suite.expectations):
        expectation.id = str(position)
    return suite


def _site_name(base: str) -> str:
    return "site_" + hashlib.sha1(base.encode()).hexdigest()[:10]


def _docs_site(data_docs_dir: Path) -> str:
    """Register (once) a filesystem Data Docs site rooted at data_docs_dir; return its name.

    A new site (a new refresh) starts from an empty results store, so its index lists only its own
    validations and a long-lived process does not accumulate every result it ever produced."""
    _, context, _ = _gx()
    base = str(data_docs_dir.resolve())
    name = _site_name(base)
    if not _docs_dirs or _docs_dirs[-1] != base:
        for key in context.validation_results_store.list_keys():
            context.validation_results_store.remove_key(key)
        _docs_dirs.append(base)
    if name not in context.list_data_docs_sites():
        context.add_data_docs_site(name, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": base},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return name


def _validate_with_docs(suite_dict: dict, frame, data_docs_dir: Path, parameters: dict | None, run_name: str | None,
                        result_format: dict):
    """Validate through stored suite + validation definition so Data Docs can render the result."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    gx, context, batch_definition = _gx()
    site = _docs_site(data_docs_dir)  # before running: a new site starts from an empty results store
    suite = context.suites.add_or_update(gx.ExpectationSuite(**json.loads(json.dumps(suite_dict))))
    positions = {e.id: str(i) for i, e in enumerate(suite.expectations)}
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{suite.name}_frame", data=batch_definition, suite=suite)
    )
    run_id = RunIdentifier(run_name=run_name or suite.name, run_time=datetime.now(timezone.utc))
    result = definition.run(batch_parameters={"dataframe": frame}, result_format=result_format, run_id=run_id,
                            expectation_parameters=parameters)
    stored = [k for k in context.validation_results_store.list_keys() if k.run_id == run_id]
    _unrendered.setdefault(site, []).extend([*stored, ExpectationSuiteIdentifier(name=suite.name)])
    return result, positions


def build_data_docs(data_docs_dir: Path) -> Path:
    """Render the validations stored for data_docs_dir since the last call (and the index); return index.html."""
    _, context, _ = _gx()
    site = _docs_site(data_docs_dir)
    identifiers = _unrendered.pop(site, [])
    if identifiers:
        context.build_data_docs(site_names=[site], resource_identifiers=identifiers)
    return data_docs_dir / "index.html"


def render_pending_docs() -> None:
    """Render every site's validations not rendered yet: what the entity gates stored, while dbt starts
    (pipeline/defs/assets/dbt.py), or when a run fails (pipeline/defs/jobs.py)."""
    for base in [b for b in _docs_dirs if _site_name(b) in _unrendered]:
        build_data_docs(Path(base))


def _plain(value: Any) -> Any:
    """A JSON-safe copy of an unexpected value (numpy scalars, timestamps, NaN/NaT -> None)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (datetime, date)):  # includes pandas.Timestamp and NaT
        return None if value != value else value.isoformat()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, np.generic):
        return _plain(value.item())
    return None if pd.isna(value) else str(value)  # pd.NA and anything else


def _shown(value: Any) -> Any:
    """An example as findings show it: JSON-safe, its text cut to a bounded length (pipeline/cut.py)."""
    plain = _plain(value)
    if isinstance(plain, dict):
        return {k: cut(v) if isinstance(v, str) else v for k, v in plain.items()}
    if isinstance(plain, list):
        return [cut(v) if isinstance(v, str) else v for v in plain]
    return cut(plain) if isinstance(plain, str) else plain


def _examples(values: list) -> list:
    distinct: dict[str, Any] = {}
    for value in values:
        plain = _shown(value)
        distinct.setdefault(json.dumps(plain, sort_keys=True, default=str), plain)
        if len(distinct) == MAX_EXAMPLES:
            break
    return list(distinct.values())


def _column_label(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_list" in kwargs:
        return ",".join(kwargs["column_list"])
    if "column_A" in kwargs:  # our pairs are "A >= B", i.e. B is the earlier/smaller column
        return f"{kwargs['column_B']},{kwargs['column_A']}"
    return None


def _exception_message(info: dict) -> str | None:
    """GX reports exceptions either flat or keyed by the metric that raised; return the first."""
    reports = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for report in reports:
        if report.get("raised_exception"):
            return report.get("exception_message") or "GX raised an exception"
    return None


def _outcome(result, row_count: int) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    examples = _examples(details.get("partial_unexpected_list") or [])
    if "column_A" in config.kwargs:  # GX lists pairs as (A, B); match the "B,A" column label
        examples = [list(reversed(pair)) for pair in examples]
    index_rows = details.get("unexpected_index_list")
    return ExpectationOutcome(
        check=config.meta.get("check"),
        example_rows=[_shown(row) for row in (details.get("partial_unexpected_index_list") or [])[:MAX_EXAMPLES]],
        unexpected_rows=None if index_rows is None else [_plain(row) for row in index_rows],
        observed=_plain(details.get("observed_value")),
        expectation=config.type,
        column=_column_label(config.kwargs),
        severity=config.meta.get("severity", "error"),
        rule=config.meta.get("rule", config.type),
        success=bool(result.success),
        unexpected_count=int(details.get("unexpected_count") or 0),
        element_count=int(details.get("element_count", row_count) or 0),
        examples=examples,
        exception=_exception_message(result.exception_info),
    )


# expectations judging each row (or pair, or key) on its own: on a frame without rows none can find one
# unexpected, so on an empty frame (an entity's rows frame holds only the suspect rows: usually none,
# pipeline/quality/frames.py) they pass without being sent to GX, which costs about 0.1 s per
# expectation, most of the gate's time. A column's type (in_type_list) is judged on an empty frame too.
ROW_WISE = frozenset({
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null", "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex", "expect_column_values_to_be_between", "expect_compound_columns_to_be_unique",
    "expect_column_pair_values_a_to_be_greater_than_b",
})


def _vacuous_outcome(expectation: dict, index_columns: list[str] | None) -> ExpectationOutcome:
    """The outcome GX gives a ROW_WISE expectation on a frame without rows: passed, nothing unexpected."""
    meta = expectation.get("meta", {})
    return ExpectationOutcome(
        expectation=expectation["type"], column=_column_label(expectation["kwargs"]),
        severity=meta.get("severity", "error"), rule=meta.get("rule", expectation["type"]), success=True,
        unexpected_count=0, element_count=0, examples=[], check=meta.get("check"),
        unexpected_rows=[] if index_columns else None)


def run_suite(suite: dict, frame: pd.DataFrame, data_docs_dir: Path | None = None, parameters: dict | None = None,
              index_columns: list[str] | None = None, run_name: str | None = None) -> SuiteOutcome:
    """Validate frame against suite; success is False iff an error-severity expectation failed.

    parameters: values of the suite's $PARAMETERs; index_columns: reported with each failing
    example (must be columns of frame); run_name: the validation's name in Data Docs."""
    # what GX would find in no rows, without GX's per-expectation cost (not a frame at all: GX says so below)
    if getattr(frame, "empty", False) is True:
        vacuous = [i for i, e in enumerate(suite["expectations"]) if e["type"] in ROW_WISE]
        if vacuous:
            others = [e for i, e in enumerate(suite["expectations"]) if i not in vacuous]
            rest = run_suite(dict(suite, expectations=others), frame, data_docs_dir, parameters, index_columns,
                             run_name).outcomes if others else []
            outcomes = [_vacuous_outcome(e, index_columns) if i in vacuous else rest.pop(0)
                        for i, e in enumerate(suite["expectations"])]
            return SuiteOutcome(suite=suite["name"], success=all(o.success for o in outcomes if o.severity == "error"),
                                outcomes=outcomes)
    result_format = dict(_RESULT_FORMAT)
    if index_columns:  # COMPLETE: every unexpected row with its index values, so callers can count per LA
        result_format.update(result_format="COMPLETE",
                             unexpected_index_column_names=[c for c in index_columns if c in frame.columns])
    if data_docs_dir is not None:
        result, positions = _validate_with_docs(suite, frame, data_docs_dir, parameters, run_name, result_format)
    else:
        _, _, batch_definition = _gx()
        suite_object = _suite_object(json.dumps(suite, sort_keys=True))
        positions = {e.id: e.id for e in suite_object.expectations}
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite_object, result_format=result_format, expectation_parameters=parameters)

    ordered = sorted(result.results, key=lambda r: int(positions[r.expectation_config.id]))
    outcomes = [_outcome(r, len(frame)) for r in ordered]
    success = all(o.success for o in outcomes if o.severity == "error")
    return SuiteOutcome(suite=suite["name"], success=success, outcomes=outcomes)
