"""The dataset-level gate for one entity, run per LA right after the entity loads.

Each LA is judged on its own (extracts.md, "Dataset level"): an error-severity failure holds that
LA back at publish time while the other LAs publish. Every check of every LA is written to
audit.data_quality, which publish copies to published.data_quality.
"""

import json
from dataclasses import dataclass

import dagster as dg

from pipeline.specs import Entity

ENTITY_CHECKS = {
    "file_usable": "The LA supplied the file (if required), it could be read, has rows and every required column.",
    "quarantine_share": "Rows quarantined by the row-level rules stay under the threshold share of rows supplied.",
    "gx_suite": "The entity's Great Expectations suite (expectations/<entity>.json) passes on the loaded rows.",
    "no_overlaps": "No child has overlapping CP plans or CLA episodes beyond the threshold share of children.",
}
OVERLAP_ENTITIES = {"cp_plans", "cla_episodes"}


def checks_for(entity_name: str) -> dict[str, str]:
    return {k: v for k, v in ENTITY_CHECKS.items() if k != "no_overlaps" or entity_name in OVERLAP_ENTITIES}


@dataclass
class CheckRow:
    la_code: str
    check_name: str
    severity: str  # error | warning
    rows_checked: int
    rows_failed: int
    passed: bool
    details: dict

    @property
    def family(self) -> str:
        return self.check_name.split(":", 1)[0]


def gate_entity(con, entity: Entity, settings, run_id: str) -> list[dg.AssetCheckResult]:
    las = [r[0] for r in con.execute("select la_code from raw.manifests order by 1").fetchall()]
    rows: list[CheckRow] = []
    for la in las:
        rows += _file_checks(con, entity, la, settings)
        rows += _gx_checks(con, entity, la, settings)
        rows += _overlap_checks(con, entity, la, settings)
    con.execute("delete from audit.data_quality where entity = $e", {"e": entity.name})
    for r in rows:
        con.execute(
            "insert into audit.data_quality values ($run, $la, $e, $c, $s, $n, $f, $p, $d)",
            {"run": run_id, "la": r.la_code, "e": entity.name, "c": r.check_name, "s": r.severity,
             "n": r.rows_checked, "f": r.rows_failed, "p": r.passed, "d": json.dumps(r.details, default=str)},
        )
    return [_check_result(entity, family, [r for r in rows if r.family == family]) for family in checks_for(entity.name)]


def _check_result(entity: Entity, family: str, rows: list[CheckRow]) -> dg.AssetCheckResult:
    failing = [r for r in rows if not r.passed]
    errors = [r for r in failing if r.severity == "error"]
    return dg.AssetCheckResult(
        check_name=family,
        asset_key=dg.AssetKey(f"raw_{entity.name}"),
        passed=not failing,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        metadata={
            "las_checked": len({r.la_code for r in rows}),
            "las_held_back": sorted({r.la_code for r in errors}),
            "failures": [
                {"la_code": r.la_code, "check": r.check_name, "severity": r.severity,
                 "rows_failed": r.rows_failed, **r.details}
                for r in failing[:20]
            ],
        },
    )


def _file_checks(con, entity: Entity, la: str, settings) -> list[CheckRow]:
    supplied = con.execute(
        "select coalesce(sum(rows_supplied), 0), coalesce(sum(rows_quarantined), 0), count(*) "
        "from raw.supplied_entities where la_code = $la and entity = $e",
        {"la": la, "e": entity.name},
    ).fetchone()
    n_supplied, n_quarantined, n_files = supplied
    issues = con.execute(
        "select rule, message from audit.dataset_issues where la_code = $la and entity = $e and severity = 'error'",
        {"la": la, "e": entity.name},
    ).fetchall()
    problems = [m for _, m in issues]
    if entity.required and n_files and n_supplied == 0:
        problems.append(f"{la}: required file {entity.name} has no rows")
    rows = [CheckRow(la, "file_usable", "error", n_supplied, len(problems), not problems,
                     {"message": "; ".join(problems)} if problems else {})]
    if n_files:
        share = n_quarantined / n_supplied if n_supplied else 0.0
        ok = share <= settings.max_quarantine_share
        rows.append(CheckRow(la, "quarantine_share", "error", n_supplied, n_quarantined, ok, {
            "share": round(share, 4), "threshold": settings.max_quarantine_share,
            "message": f"{n_quarantined} of {n_supplied} rows quarantined ({share:.1%}, threshold "
                       f"{settings.max_quarantine_share:.0%}); see audit.quarantine"}))
    return rows


def _gx_checks(con, entity: Entity, la: str, settings) -> list[CheckRow]:
    from pipeline.quality.gx_runner import load_suite, run_suite

    frame = con.execute(f"select * from raw.{entity.name} where la_code = $la", {"la": la}).df()
    if frame.empty and not con.execute(
        "select count(*) from raw.supplied_entities where la_code = $la and entity = $e", {"la": la, "e": entity.name}
    ).fetchone()[0]:
        return []  # not supplied: nothing to validate (file_usable reports a missing required file)
    outcome = run_suite(load_suite(entity.name, settings.expectations), frame)
    return [
        CheckRow(la, f"gx_suite:{o.rule}:{o.column or ''}".rstrip(":"), o.severity, o.element_count,
                 o.unexpected_count, o.success,
                 {"expectation": o.expectation, "examples": o.examples,
                  "message": f"{o.expectation} on {o.column}: {o.unexpected_count} of {o.element_count} rows "
                             f"unexpected, e.g. {o.examples[:3]}"} if not o.success else {})
        for o in outcome.outcomes
    ]


def _overlap_checks(con, entity: Entity, la: str, settings) -> list[CheckRow]:
    """Children with two CP plans (or CLA episodes) open on the same day, as a share of children."""
    if entity.name not in OVERLAP_ENTITIES:
        return []
    key = "cp_plan_id" if entity.name == "cp_plans" else "episode_id"
    # touching is fine (an episode may start the day the previous ended); sharing a day is not
    overlapping, children = con.execute(
        f"""select
              (select count(distinct a.child_id) from raw.{entity.name} a join raw.{entity.name} b
                 on a.la_code = b.la_code and a.child_id = b.child_id and a.{key} < b.{key}
                 and a.start_date < coalesce(b.end_date, date '9999-12-31')
                 and b.start_date < coalesce(a.end_date, date '9999-12-31')
               where a.la_code = $la),
              (select count(distinct child_id) from raw.{entity.name} where la_code = $la)""",
        {"la": la},
    ).fetchone()
    share = overlapping / children if children else 0.0
    ok = share <= settings.max_overlap_share
    return [CheckRow(la, "no_overlaps", "error" if not ok else "warning", children, overlapping,
                     overlapping == 0, {"share": round(share, 4), "threshold": settings.max_overlap_share,
                                        "message": f"{overlapping} of {children} children have overlapping "
                                                   f"{entity.name.replace('_', ' ')} ({share:.1%})"})]
