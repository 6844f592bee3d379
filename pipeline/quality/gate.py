"""The quality gate for one entity, run right after the entity loads, for every LA at once.

Each LA is judged on its own (extracts.md, "Dataset level"): an error-severity failure holds that
LA back at publish time while the other LAs publish. The checks are the loader's file-level
findings (file_usable) and the entity's GX suite (expectations/<entity>.json) on the entity's
frames (pipeline.quality.frames), each outcome split per LA. Every check of every LA is a row of
audit.data_quality, which publish copies to published.data_quality (without the examples, which
are supplied values); the Dagster asset checks summarise them per family (`check` in the suite's
meta), with failing examples as metadata.

Row rules run on the rows that *loaded*: the loader quarantined every row breaking them, so they
pass unless a bad row got through; the rows quarantined under the same rule are reported beside
them (details.quarantined), and their share is the quarantine_share check.
"""

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipeline.load.tables import with_arrow
from pipeline.quality.suites import VOLUME_DATE, build_entity_suite, checks_of, frame_suite, parameters
from pipeline.specs import Entity, children_entity

CHECK_DESCRIPTIONS = {
    "file_usable": "The LA supplied the file (if required) and it could be read, has rows and every required column.",
    "row_rules": "Every row that loaded meets every row rule of extracts.md; rows that did not were quarantined.",
    "quarantine_share": "Rows quarantined by the row-level rules stay under the threshold share of rows supplied.",
    "no_overlaps": "No child has overlapping CP plans or CLA episodes beyond the threshold share (any overlap is a warning).",
    "volume": "Rows per month change by less than the configured factor month on month (warning only).",
}
# reported beside each failing example, so a person can find the row (and the LA it belongs to)
INDEX_COLUMNS = {"rows": ["la_code", "_source_row"], "las": ["la_code"],
                 "months": ["la_code", "_month", "_month_rows", "_previous_month_rows"]}
MAX_FAILURES_IN_METADATA = 20
DATA_DOCS_KEPT = 14  # refreshes whose Data Docs stay in <warehouse folder>/data_docs: two weeks of nights


def checks_for(entity_name: str) -> dict[str, str]:
    """The Dagster asset checks of one entity: file_usable plus every check its suite reports into."""
    names = dict.fromkeys(["file_usable", *checks_of(build_entity_suite(entity_name))])
    return {name: CHECK_DESCRIPTIONS[name] for name in names}


def data_docs_dir(settings, run_id: str) -> Path:
    """GX Data Docs of one refresh: <warehouse folder>/data_docs/<run id>/index.html. Only the latest
    DATA_DOCS_KEPT refreshes' docs are kept (each is a few MB)."""
    root = settings.warehouse.parent / "data_docs"
    if root.is_dir():
        older = sorted((p for p in root.iterdir() if p.is_dir() and p.name != run_id), key=lambda p: p.stat().st_mtime)
        for old in older[:max(0, len(older) - DATA_DOCS_KEPT + 1)]:
            shutil.rmtree(old, ignore_errors=True)
    return root / run_id


@dataclass
class CheckRow:
    la_code: str
    check_name: str
    severity: str  # error | warning
    rows_checked: int
    rows_failed: int
    passed: bool
    details: dict = field(default_factory=dict)
    check: str = "file_usable"  # the Dagster asset check (family) it belongs to


def start_gate(con, entity: Entity, settings, run_id: str) -> Callable[[], list[dg.AssetCheckResult]]:
    """start_checks, then the entity's Dagster asset check results (one per family) once they end."""
    finish = start_checks(con, entity, settings, run_id, docs=data_docs_dir(settings, run_id))

    def results() -> list[dg.AssetCheckResult]:
        rows = finish()
        return [_check_result(entity, name, [r for r in rows if r.check == name]) for name in checks_for(entity.name)]

    return results


def start_checks(con, entity: Entity, settings, run_id: str, docs: Path | None = None) -> Callable[[], list[CheckRow]]:
    """Start every check of one entity for every LA with a valid manifest. Its GX validations run in the
    GX process (pipeline.runtime.gx_process) while the caller goes on; the function returned waits for
    them, records every check in audit.data_quality (through con) and returns them."""
    las = [r[0] for r in con.execute("select la_code from raw.manifests order by 1").fetchall()]
    file_rows = _file_checks(con, entity, las)
    gx_rows = _gx_checks(con, entity, las, settings, docs)

    def finish() -> list[CheckRow]:
        rows = file_rows + gx_rows()
        record_checks(con, entity.name, rows, run_id)
        return rows

    return finish


def check_entity(con, entity: Entity, settings, run_id: str, docs: Path | None = None) -> list[CheckRow]:
    """start_checks, waiting for them: every check of one entity, recorded in audit.data_quality."""
    return start_checks(con, entity, settings, run_id, docs)()


def record_checks(con, entity: str, rows: list[CheckRow], run_id: str) -> None:
    """Replace the entity's rows in audit.data_quality (publish copies them to published.data_quality)."""
    import pyarrow as pa

    con.execute("delete from audit.data_quality where entity = $e", {"e": entity})
    rows = sorted(rows, key=lambda r: r.la_code)
    checks = pa.table({  # in bulk: one insert per row is slow in DuckDB
        "run_id": pa.array([run_id] * len(rows), pa.string()),
        "la_code": pa.array([r.la_code for r in rows], pa.string()),
        "entity": pa.array([entity] * len(rows), pa.string()),
        "check_name": pa.array([r.check_name for r in rows], pa.string()),
        "severity": pa.array([r.severity for r in rows], pa.string()),
        "rows_checked": pa.array([r.rows_checked for r in rows], pa.int64()),
        "rows_failed": pa.array([r.rows_failed for r in rows], pa.int64()),
        "passed": pa.array([r.passed for r in rows], pa.bool_()),
        "details": pa.array([json.dumps(r.details, default=str) for r in rows], pa.string()),
    })
    with_arrow(con, "insert into audit.data_quality by name select * from _arrow", checks)


def la_failures(o, la: str, frame_rows: int) -> tuple[int, list[dict]]:
    """(rows failed, failing examples without la_code) of one LA in an outcome on a frame of every LA."""
    if o.unexpected_rows is None:  # a whole-frame expectation (a column type, a row count): every LA or none
        return (0, []) if o.success else (frame_rows, [{}])
    failures = [{k: v for k, v in r.items() if k != "la_code"} for r in o.unexpected_rows if r.get("la_code") == la]
    return len(failures), failures


def _check_result(entity: Entity, check: str, rows: list[CheckRow]) -> dg.AssetCheckResult:
    failing = [r for r in rows if not r.passed]
    errors = [r for r in failing if r.severity == "error"]
    return dg.AssetCheckResult(
        check_name=check,
        asset_key=dg.AssetKey(f"raw_{entity.name}"),
        passed=not failing,
        # an error holds the LA back at publish; it does not block the graph, so the other LAs publish
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        metadata={
            "las_checked": len({r.la_code for r in rows}),
            "las_held_back": sorted({r.la_code for r in errors}),
            "checks_run": len(rows),
            "failures": [{"la_code": r.la_code, "check": r.check_name, "severity": r.severity,
                          "rows_checked": r.rows_checked, "rows_failed": r.rows_failed, **r.details}
                         for r in failing[:MAX_FAILURES_IN_METADATA]],
        },
    )


def _file_checks(con, entity: Entity, las: list[str]) -> list[CheckRow]:
    """file_usable of each LA, and each warning the loader noted about its file, from two queries for all LAs."""
    supplied = dict(con.execute("select la_code, sum(rows_supplied) from raw.supplied_entities where entity = $e "
                                "group by 1", {"e": entity.name}).fetchall())
    issues: dict[str, list] = {}
    for la, rule, severity, message in con.execute(
            "select la_code, rule, severity, message from audit.dataset_issues where entity = $e order by la_code, rule",
            {"e": entity.name}).fetchall():
        issues.setdefault(la, []).append((rule, severity, message))
    rows = []
    for la in las:
        n_supplied = int(supplied.get(la) or 0)
        errors = [(rule, m) for rule, sev, m in issues.get(la, []) if sev == "error"]
        rows.append(CheckRow(la, "file_usable", "error", n_supplied, n_supplied if errors else 0, not errors,
                             {"rules": [r for r, _ in errors], "message": "; ".join(m for _, m in errors)}
                             if errors else {}))
        rows += [CheckRow(la, rule, "warning", n_supplied, 0, False, {"message": m})
                 for rule, sev, m in issues.get(la, []) if sev == "warning"]
    return rows


def _gx_checks(con, entity: Entity, las: list[str], settings, docs: Path | None) -> Callable[[], list[CheckRow]]:
    """Send the entity's frames (every LA in each) to be validated; the function returned turns each
    outcome into one row per LA."""
    from pipeline.runtime import gx_process
    from pipeline.quality.frames import entity_frames
    from pipeline.quality.gx_runner import load_suite

    suite = load_suite(entity.name, settings.expectations)
    frames = entity_frames(con, entity, suite, las)
    outcomes = {name: gx_process.submit("run_suite", frame_suite(suite, name), frame, data_docs_dir=docs,
                                        parameters=parameters(settings), index_columns=INDEX_COLUMNS[name],
                                        run_name=f"{entity.name}.{name}")
                for name, frame in frames.items()}
    # while they run: what the outcomes are read with
    quarantined = _quarantined_by_rule(con, entity.name)
    # LAs whose file could be read; the others have nothing to validate (file_usable says why)
    supplied = set(frames["las"]["la_code"]) if "las" in frames else set(las)
    # the rows frame holds only suspect rows (pipeline.quality.frames): a row rule checks every loaded row
    loaded = dict(con.execute(f"select la_code, count(*) from raw.{entity.name} group by 1").fetchall())
    counts = _la_counts(con, entity, frames, loaded)

    def rows() -> list[CheckRow]:
        rows = []
        for name, frame in frames.items():
            sizes = loaded if name == "rows" else frame.groupby("la_code").size().to_dict() if len(frame) else {}
            for o in outcomes[name].result().outcomes:
                for la in sorted(supplied):
                    rows.append(_gx_row(la, entity, o, sizes.get(la, 0), quarantined.get(la, {}),
                                        counts.get(la, {}), settings))
        return rows  # their Data Docs are rendered while dbt starts, not once per entity (gx_runner)

    return rows


def _gx_row(la: str, entity: Entity, o, frame_rows: int, quarantined: dict, counts: dict, settings) -> CheckRow:
    column = _display_column(o, entity)
    failed, failures = la_failures(o, la, frame_rows)
    passed = not failures and not o.exception
    checked = frame_rows
    details: dict = {"expectation": o.expectation, "suite": f"expectations/{entity.name}.json"}
    if o.check == "row_rules":
        n, examples = quarantined.get((o.rule, column), (0, []))
        details.update(quarantined=n, quarantined_examples=examples)
    if o.rule in counts:
        checked, failed = counts[o.rule]
        if o.rule in ("quarantine_share", "overlap_share"):
            share = failed / checked if checked else 0.0
            threshold = settings.max_quarantine_share if o.rule == "quarantine_share" else settings.max_overlap_share
            details.update(share=round(share, 4), threshold=threshold)
        if o.rule == "quarantine_share":
            by_rule: dict[str, int] = {}
            for (rule, _), (n, _) in sorted(quarantined.items()):
                by_rule[rule] = by_rule.get(rule, 0) + n
            details["by_rule"] = by_rule
    if not passed:
        details["examples"] = [f for f in failures if f][:5]
        details["message"] = _message(entity, o, column, checked, failed, details, settings)
    name = f"{o.rule}:{column}" if column else o.rule
    return CheckRow(la, name, o.severity, checked, failed, passed, details, o.check or "row_rules")


def _la_counts(con, entity: Entity, frames: dict, loaded: dict[str, int]) -> dict[str, dict[str, tuple[int, int]]]:
    """Per LA, (rows checked, rows failed) of the LA-level rules, counted in rows of the LA's file."""
    out: dict = {}
    for la, supplied, quarantined, missing in con.execute(
            "select la_code, rows_supplied, rows_quarantined, missing_columns from raw.supplied_entities "
            "where entity = $e", {"e": entity.name}).fetchall():
        out[la] = {"quarantine_share": (supplied, quarantined), "file_has_rows": (supplied, 0),
                   "missing_column": (supplied, supplied if missing and missing != "[]" else 0)}
    rows = frames.get("rows")
    if rows is not None and "_overlaps_with" in rows.columns:  # every overlapping row is a suspect row
        overlapping = rows[rows["_overlaps_with"].notna()].groupby("la_code").size().to_dict()
        for la, size in loaded.items():
            out.setdefault(la, {})["overlap_share"] = (int(size), int(overlapping.get(la, 0)))
    return out


def _display_column(o, entity: Entity) -> str | None:
    """The contract column an outcome is about (helper columns start with '_'; pairs name the later date)."""
    # a date pattern is checked on the helper _iso_<column>: it is about <column>
    real = [c.removeprefix("_iso_") for c in (o.column or "").split(",")]
    real = [c for c in real if c and not c.startswith("_")]
    if real:
        return real[-1]
    kids = children_entity()
    return {"orphan_child": kids.key if kids else None, "volume_change": VOLUME_DATE.get(entity.name),
            "unknown_reference": next((r.columns[0] for r in entity.references), None),  # as the loader names it
            # required on _one_of: the first of the one_of columns (entities.yml), as the loader reports it
            "required": entity.one_of.columns[0] if entity.one_of else None}.get(o.rule)


def _message(entity: Entity, o, column, checked: int, failed: int, details: dict, settings) -> str:
    """What failed, in counts, row numbers and months: never a supplied value, because the message
    is published (published.data_quality, and the hold-back reason); the values are in `examples`."""
    if o.exception:
        return f"{o.rule} on {column or entity.name} could not be evaluated: {o.exception}"
    examples = details.get("examples", [])
    rows = [str(e["_source_row"]) for e in examples if isinstance(e, dict) and e.get("_source_row") is not None]
    at = f", e.g. row{'s' if len(rows) > 1 else ''} {', '.join(rows[:5])}" if rows else ""
    if o.rule == "file_has_rows":
        return f"{entity.name} has no rows"
    if o.rule == "missing_column":
        return "the file lacks required column(s): see file_usable"
    if o.rule == "quarantine_share":
        return (f"{failed} of {checked} rows quarantined ({details['share']:.1%}, threshold "
                f"{details['threshold']:.0%}); see audit.quarantine")
    if o.rule in ("overlap", "overlap_share"):
        what = entity.name.replace("_", " ")
        tail = f" ({details['share']:.1%}, threshold {details['threshold']:.0%})" if o.rule == "overlap_share" else ""
        return f"{failed} of {checked} {what} overlap another of the same child{tail}{at}"
    if o.rule == "volume_change":
        months = "; ".join(f"{e['_month']}: {e['_month_rows']} rows after {e['_previous_month_rows']}"
                           for e in examples[:3] if isinstance(e, dict) and e.get("_month"))
        return (f"{failed} month(s) where {entity.name} rows changed by more than a factor of "
                f"{settings.volume_change_factor:g} on the month before, e.g. {months}")
    kept = " that loaded (the loader should have quarantined them)" if o.severity == "error" else " (kept)"
    return f"{o.rule} on {column}: {failed} of {checked} rows{kept}{at}"


def _quarantined_by_rule(con, entity: str) -> dict[str, dict[tuple[str, str | None], tuple[int, list]]]:
    """la_code -> (rule, column) -> (rows quarantined, up to 5 {row, value} examples)."""
    rows = con.execute(
        """select la_code, rule, column_name, count(distinct row_number),
                  list({'row': row_number, 'value': raw_value} order by row_number)[1:5]
           from audit.quarantine where entity = $e group by all""",
        {"e": entity},
    ).fetchall()
    out: dict = {}
    for la, rule, column, n, examples in rows:
        out.setdefault(la, {})[(rule, column)] = (n, examples)
    return out
