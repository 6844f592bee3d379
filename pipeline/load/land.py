"""Type one entity file and apply the row-level rules of extracts.md in bulk SQL.

Rows breaking a rule go to audit.quarantine (one row per broken rule, with the whole supplied
record as JSON so nothing is lost); the rest land typed in raw.<entity> with lineage columns.
Loading the same LA again replaces its rows, so a file loaded twice is never duplicated.
"""

import json
from dataclasses import dataclass, field

from pipeline.load.inbox import EntitySource, LaExtract, sha256_of
from pipeline.load.readers import UnreadableSource, read_into
from pipeline.specs import Column, Entity, code_lists

FLAG_TRUE = ("Y", "YES", "TRUE", "T", "1")
FLAG_FALSE = ("N", "NO", "FALSE", "F", "0")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y",
]


@dataclass
class LandResult:
    la_code: str
    entity: str
    source_file: str | None
    rows_supplied: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    issues: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, severity, message)


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def lit(value) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def clear(con, la_code: str, entity: str) -> None:
    """Forget what an earlier load of this LA's entity left, so reloading never duplicates."""
    con.execute(f"delete from raw.{entity} where la_code = $la", {"la": la_code})
    for table in ("audit.quarantine", "raw.supplied_entities", "audit.dataset_issues"):
        con.execute(f"delete from {table} where la_code = $la and entity = $e", {"la": la_code, "e": entity})


def land_entity(con, la: LaExtract, entity: Entity, source: EntitySource | None, run_id: str) -> LandResult:
    clear(con, la.la_code, entity.name)
    result = LandResult(la.la_code, entity.name, source.label if source else None)
    if source is None:
        if entity.required and la.native:
            result.issues.append(("required_file_missing", "error",
                                  f"{la.la_code}: required file {entity.name}.csv (or .xlsx / sheet of extract.xlsx) is missing"))
        _record(con, result, None, run_id)
        return result
    try:
        headers = read_into(con, source, entity)
    except UnreadableSource as exc:
        result.issues.append((str(exc).rsplit("(rule ", 1)[-1].rstrip(")"), "error", f"{la.la_code}/{exc}"))
        _record(con, result, sha256_of(source.path), run_id)
        return result

    by_name: dict[str, str] = {}
    for h in headers:
        by_name.setdefault(h.strip().lower(), h)
    missing = [c.name for c in entity.columns if c.name not in by_name]
    for name in missing:
        if entity.column(name).required:
            result.issues.append(("missing_column", "error",
                                  f"{la.la_code}/{source.label}: required column {name} is missing"))
    extras = [h for h in headers if h.strip().lower() not in {c.name for c in entity.columns}]

    columns_in = [r[0] for r in con.execute("describe _in").fetchall()]
    con.execute(_typed_sql(entity, by_name, headers, extras, columns_in))
    con.execute(_violations_sql(la, entity, source, missing))
    con.execute(
        f"""insert into audit.quarantine
        select {lit(la.la_code)}, {lit(entity.name)}, {lit(source.label)}, b._row, b.column_name, b.raw_value,
               b.rule, {lit(la.la_code + '/' + source.label)} || ' ' || t._location || ': ' || b.message,
               {lit(run_id)}, t._record
        from _bad b join _typed t using (_row)"""
    )
    sha = sha256_of(source.path)
    cols = ", ".join(q(c.name) for c in entity.columns)
    typed = ", ".join(f"t.{q('t_' + c.name)}" for c in entity.columns)
    con.execute(
        f"""insert into raw.{entity.name} ({cols}, la_code, _source_file, _source_row, _file_sha256, _run_id, _extra)
        select {typed}, {lit(la.la_code)}, {lit(source.label)}, t._row, {lit(sha)}, {lit(run_id)}, t._extra
        from _typed t where t._row not in (select _row from _bad)"""
    )
    result.rows_supplied, result.rows_quarantined = con.execute(
        "select (select count(*) from _typed), (select count(distinct _row) from _bad)"
    ).fetchone()
    result.rows_loaded = result.rows_supplied - result.rows_quarantined
    _record(con, result, sha, run_id)
    con.execute("drop table _in; drop table _typed; drop table _bad")
    return result


def _record(con, result: LandResult, sha: str | None, run_id: str) -> None:
    if result.source_file is not None:
        con.execute(
            "insert into raw.supplied_entities values ($la, $e, $f, $sha, $s, $l, $qn, $run)",
            {"la": result.la_code, "e": result.entity, "f": result.source_file, "sha": sha,
             "s": result.rows_supplied, "l": result.rows_loaded, "qn": result.rows_quarantined, "run": run_id},
        )
    for rule, severity, message in result.issues:
        con.execute(
            "insert into audit.dataset_issues values ($la, $e, $f, $rule, $sev, $msg, $run)",
            {"la": result.la_code, "e": result.entity, "f": result.source_file, "rule": rule,
             "sev": severity, "msg": message, "run": run_id},
        )


def _typed_expr(col: Column, raw: str) -> str:
    if col.type in ("id", "string"):
        return raw
    if col.type == "code":
        return f"upper({raw})"
    if col.type == "flag":
        return (f"case when upper({raw}) in {FLAG_TRUE} then 'Y' "
                f"when upper({raw}) in {FLAG_FALSE} then 'N' end")
    if col.type == "date":
        return f"try_strptime({raw}, {DATE_FORMATS})::date"
    if col.type == "datetime":
        return f"try_strptime({raw}, {DATETIME_FORMATS})"
    if col.type == "integer":
        return f"try_cast({raw} as bigint)"
    raise ValueError(f"unknown column type {col.type}")


def _typed_sql(entity: Entity, by_name: dict[str, str], headers: list[str], extras: list[str],
               headers_all: list[str]) -> str:
    parts = ["_row", "_location" if "_location" in headers_all else "'row ' || _row as _location"]
    for col in entity.columns:
        header = by_name.get(col.name)
        raw = f"nullif(trim({q(header)}), '')" if header else "NULL::varchar"
        parts.append(f"{raw} as {q('r_' + col.name)}")
        parts.append(f"{_typed_expr(col, raw)} as {q('t_' + col.name)}")
    record = ", ".join(f"{lit(h)}, {q(h)}" for h in headers)
    parts.append(f"json_object({record})::varchar as _record")
    extra = ", ".join(f"{lit(h)}, {q(h)}" for h in extras)
    parts.append(f"json_object({extra})::varchar as _extra" if extras else "NULL::varchar as _extra")
    return f"create or replace temp table _typed as select {', '.join(parts)} from _in"


def _violations_sql(la: LaExtract, entity: Entity, source: EntitySource, missing: list[str]) -> str:
    """One select per rule; each yields (_row, column_name, raw_value, rule, message)."""
    checks: list[str] = []

    def add(column: str, raw: str, rule: str, message: str, where: str, extra_from: str = "") -> None:
        checks.append(f"select t._row, {lit(column)}, {raw}, {lit(rule)}, {message} from _typed t {extra_from} where {where}")

    for col in entity.columns:
        r, t = f"t.{q('r_' + col.name)}", f"t.{q('t_' + col.name)}"
        shown = f"'value ''' || {r} || ''''"
        if col.name in missing and col.required:
            add(col.name, "NULL", "missing_column", lit(f"required column {col.name} is missing from the file"), "true")
            continue
        if col.required:
            add(col.name, r, "required", lit(f"{col.name} is required but empty"), f"{r} is null")
        if col.type in ("date", "datetime", "flag", "integer"):
            what = {"date": "a date (YYYY-MM-DD or DD/MM/YYYY)", "datetime": "a date and time (YYYY-MM-DD HH:MM[:SS])",
                    "flag": "Y or N", "integer": "a whole number"}[col.type]
            add(col.name, r, f"invalid_{col.type}", f"'{col.name} ' || {shown} || ' is not {what}'",
                f"{r} is not null and {t} is null")
        if col.codes:
            codes = code_lists()[col.codes]
            add(col.name, r, "unknown_code", f"'{col.name} ' || {shown} || ' is not in code list {col.codes}'",
                f"{t} is not null and {t} not in ({', '.join(lit(c) for c in codes)})")
        if col.pattern:
            add(col.name, r, "invalid_code", f"'{col.name} ' || {shown} || ' does not match {col.pattern}'",
                f"{t} is not null and not regexp_full_match({t}, {lit(col.pattern)})")
        if col.min is not None:
            add(col.name, r, "below_minimum", f"'{col.name} ' || {shown} || ' is below {col.min}'",
                f"{t} < {col.min}")
        if col.is_date and not col.future_allowed:
            add(col.name, r, "date_after_extract",
                f"'{col.name} ' || {shown} || ' is after the extract date {la.extract_date}'",
                f"{t}::date > {lit(la.extract_date)}::date")

    if entity.key:
        k = f"t.{q('t_' + entity.key)}"
        add(entity.key, f"t.{q('r_' + entity.key)}", "duplicate_id",
            f"'{entity.key} ''' || {k} || ''' appears more than once in the file'",
            f"{k} in (select {q('t_' + entity.key)} from _typed group by 1 having count(*) > 1)")

    for order in entity.order:
        if order.severity != "error":
            continue  # warnings are reported by the quality gate, the row still loads
        a, b = f"t.{q('t_' + order.earlier)}", f"t.{q('t_' + order.later)}"
        add(order.later, f"t.{q('r_' + order.later)}", "end_before_start",
            f"'{order.later} ' || {b}::varchar || ' is before {order.earlier} ' || {a}::varchar",
            f"{b}::date < {a}::date")

    if entity.name == "children":
        add("date_of_birth", "t.r_date_of_birth", "required",
            lit("date_of_birth is required unless expected_date_of_birth is given (unborn child)"),
            "t.r_date_of_birth is null and t.r_expected_date_of_birth is null")
    elif "child_id" in entity.column_names:
        known = f"(select child_id from raw.children where la_code = {lit(la.la_code)})"
        add("child_id", "t.r_child_id", "orphan_child",
            "'child_id ''' || t.t_child_id || ''' is not in children'",
            f"t.t_child_id is not null and t.t_child_id not in {known}")
        for col in entity.columns:
            if not col.is_date:
                continue
            t = f"t.{q('t_' + col.name)}"
            add(col.name, f"t.{q('r_' + col.name)}", "before_birth",
                f"'{col.name} ' || {t}::date::varchar || ' is before the child''s date of birth ' || "
                f"coalesce(c.date_of_birth::varchar, 'expected ' || c.expected_date_of_birth::varchar)",
                f"{t}::date < coalesce(c.date_of_birth, c.expected_date_of_birth - interval 9 month)::date",
                extra_from=f"join raw.children c on c.la_code = {lit(la.la_code)} and c.child_id = t.t_child_id")

    empty = "select null::bigint, null::varchar, null::varchar, null::varchar, null::varchar where false"
    union = "\nunion all\n".join([empty, *checks])
    return f"create or replace temp table _bad as select * from ({union}) as v(_row, column_name, raw_value, rule, message)"


def load_manifests(con, las: list[LaExtract], run_id: str) -> None:
    """Valid manifests land in raw.manifests; an invalid one is a dataset issue that holds the LA back."""
    con.execute("delete from raw.manifests")
    con.execute("delete from audit.dataset_issues where entity = 'manifest'")
    for la in las:
        if la.ok:
            con.execute(
                "insert into raw.manifests values ($la, $name, $d, $cs, $pop, $f, $sha, $run)",
                {"la": la.la_code, "name": la.la_name, "d": la.extract_date, "cs": la.case_system,
                 "pop": json.dumps(la.population_0_17) if la.population_0_17 else None,
                 "f": "manifest.yml", "sha": la.manifest_sha256, "run": run_id},
            )
        for problem in la.problems:
            rule = problem.rsplit("(rule ", 1)[-1].rstrip(")")
            con.execute(
                "insert into audit.dataset_issues values ($la, 'manifest', 'manifest.yml', $rule, 'error', $msg, $run)",
                {"la": la.la_code, "rule": rule, "msg": problem, "run": run_id},
            )


