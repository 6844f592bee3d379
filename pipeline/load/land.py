"""Type one entity file and apply the row-level rules of extracts.md in bulk SQL.

Rows breaking a rule go to audit.quarantine (one row per broken rule, with the whole supplied
record as JSON so nothing is lost); the rest land typed in raw.<entity> with lineage columns.
A file-level defect that still lets rows be counted (a missing or repeated column, the wrong
delimiter) quarantines every row under that rule, so loaded + quarantined = supplied must hold;
rows_loaded is counted in raw afterwards and a mismatch is an error naming the file
(`rows_unaccounted`). A file that cannot be read at all is a dataset issue. Loading the same LA again replaces
its rows, so a file loaded twice is never duplicated.
"""

import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from pipeline.load.inbox import files
from pipeline.load.sources import WORKBOOK, EntitySource, LaExtract, sha256_of
from pipeline.load.readers import UnreadableSource, read_into, sheet_names, workbook_problem
from pipeline.specs import Column, Entity, code_lists

log = logging.getLogger(__name__)

FLAG_TRUE = ("Y", "YES", "TRUE", "T", "1")
FLAG_FALSE = ("N", "NO", "FALSE", "F", "0")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y",
]
EARLIEST_DATE = "1900-01-01"  # a date before this is a typo (year 0024), not a record
MAX_CELL_CHARS = 32767  # Excel's limit for one cell: anything longer is a broken export
SUPPORTED_SUFFIXES = (".csv", ".xlsx")


@dataclass
class LandResult:
    la_code: str
    entity: str
    source_file: str | None
    rows_supplied: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    issues: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, severity, message)
    missing_columns: list[str] = field(default_factory=list)


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def lit(value) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def rule_of(problem: str) -> str:
    """The rule name at the end of a problem message: '... (rule manifest_invalid)'."""
    return problem.rsplit("(rule ", 1)[-1].rstrip(")") if "(rule " in problem else "invalid"


def clear(con, la_code: str, entity: str) -> None:
    """Forget what an earlier load of this LA's entity left, so reloading never duplicates."""
    con.execute(f"delete from raw.{entity} where la_code = $la", {"la": la_code})
    for table in ("audit.quarantine", "raw.supplied_entities", "raw.source_coverage", "audit.dataset_issues"):
        con.execute(f"delete from {table} where la_code = $la and entity = $e", {"la": la_code, "e": entity})


def land_entity(con, la: LaExtract, entity: Entity, source: EntitySource | None, run_id: str) -> LandResult:
    clear(con, la.la_code, entity.name)
    result = LandResult(la.la_code, entity.name, source.label if source else None)
    if not la.ok:  # its recorded files could not be read again (pipeline/load/record.py): nothing loads
        result.source_file = None
        result.issues += [(rule_of(p), "error", p) for p in la.problems]
        _record(con, result, None, run_id)
        return result
    if source is None:
        _missing_source(la, entity, result)
        _record(con, result, None, run_id)
        return result
    try:
        _land(con, la, entity, source, run_id, result)
    except UnreadableSource as exc:
        result.issues.append((exc.rule, "error", f"{la.la_code}/{exc}"))
        _record(con, result, _sha256(source), run_id)
    except Exception as exc:  # one LA's file must never stop the other LAs: report it as that LA's problem
        log.debug("loading %s/%s failed", la.la_code, source.label, exc_info=True)
        clear(con, la.la_code, entity.name)
        result.rows_supplied = result.rows_loaded = result.rows_quarantined = 0
        result.issues.append(("load_failed", "error", f"{la.la_code}/{source.label}: could not be loaded "
                                                      f"({exc.__class__.__name__}: {str(exc).strip()[:200]})"))
        _record(con, result, None, run_id)
    return result


def _missing_source(la: LaExtract, entity: Entity, result: LandResult) -> None:
    if not (entity.required and la.native):
        return
    workbook = next((p for p in files(la.folder) if p.name.lower() == WORKBOOK), None)
    problem = workbook_problem(workbook) if workbook else None
    hidden = [s for s in sheet_names(workbook, hidden=True) if s.strip().lower() == entity.name] if workbook else []
    if hidden:
        result.issues.append(("required_file_missing", "error",
                              f"{la.la_code}/{WORKBOOK}: sheet '{hidden[0]}' is hidden, and hidden sheets are not "
                              f"read: unhide it (or supply {entity.name}.csv)"))
    elif problem is not None:
        result.issues.append((problem.rule, "error", f"{la.la_code}/{problem} - so required {entity.name} "
                                                     "cannot be read from it"))
    else:
        result.issues.append(("required_file_missing", "error",
                              f"{la.la_code}: required file {entity.name}.csv (or .xlsx, or sheet {entity.name} "
                              f"of {WORKBOOK}) is missing"))


def _land(con, la: LaExtract, entity: Entity, source: EntitySource, run_id: str, result: LandResult) -> None:
    read = read_into(con, source, entity)
    for rule, message in read.notes:
        result.issues.append((rule, "warning", f"{la.la_code}/{message}"))
    others = _other_sources(la, entity, source)
    file_rule = read.file_rule
    if others:
        file_rule = ("ambiguous_source", f"{entity.name} is supplied twice ({source.label} and {', '.join(others)}): "
                                         "remove one")

    # header matching is case-insensitive and ignores surrounding spaces (extracts.md)
    by_name: dict[str, str] = {}
    for header, column in zip(read.headers, read.columns):
        by_name.setdefault(header.strip().lower(), column)
    contract = set(entity.column_names)
    repeated = [name for name, n in Counter(h.strip().lower() for h in read.headers).items() if n > 1 and name in contract]
    if repeated and file_rule is None:
        file_rule = ("duplicate_column", f"column {', '.join(repeated)} appears more than once in the header: "
                                         "keep one")
    if file_rule is not None:
        result.issues.append((file_rule[0], "error", f"{la.la_code}/{source.label}: {file_rule[1]}"))
    missing = [c.name for c in entity.columns if c.name not in by_name]
    result.missing_columns = [c for c in missing if entity.column(c).required]
    for name in result.missing_columns:
        result.issues.append(("missing_column", "error", f"{la.la_code}/{source.label}: required column {name} is "
                                                         f"missing{_did_you_mean(name, read.headers, contract)}"))
    extras = [c for h, c in zip(read.headers, read.columns) if h.strip().lower() not in contract or c != by_name[h.strip().lower()]]

    columns_in = [r[0] for r in con.execute("describe _in").fetchall()]
    con.execute(_typed_sql(entity, by_name, extras, columns_in))
    con.execute(_violations_sql(la, entity, result.missing_columns, read.columns, file_rule, "_cell_issues" in columns_in))
    # the whole supplied record as JSON, built for quarantined rows only (most rows never need it)
    record = ", ".join(f"{lit(c)}, i.{q(c)}" for c in read.columns)
    con.execute(
        f"""insert into audit.quarantine
        select {lit(la.la_code)}, {lit(entity.name)}, {lit(source.label)}, b._row, b.column_name, b.raw_value,
               b.rule, {lit(la.la_code + '/' + source.label)} || ' ' || t._location || ': ' || b.message,
               {lit(run_id)}, {f"json_object({record})::varchar" if read.columns else "'{}'"}
        from _bad b join _typed t using (_row) join _in i using (_row)"""
    )
    sha = _sha256(source)
    insert_raw(con, la.la_code, entity, source.label, sha, run_id)
    result.rows_supplied, result.rows_quarantined = con.execute(
        "select (select count(*) from _typed), (select count(distinct _row) from _bad)"
    ).fetchone()
    reconcile(con, result)
    result.issues += _case_variants(con, la, entity, source)
    _record(con, result, sha, run_id)
    for c in source.coverage:  # statutory formats: what the source can support (docs/statutory_formats.md)
        con.execute("insert into raw.source_coverage values ($la, $e, $f, $i, $d, $from, $why, $run)",
                    {"la": la.la_code, "e": entity.name, "f": source.label, "i": c.indicator_id,
                     "d": c.dimension, "from": c.covered_from, "why": c.reason, "run": run_id})
    con.execute("drop table _in; drop table _typed; drop table _bad")


def insert_raw(con, la_code: str, entity: Entity, label: str, sha: str, run_id: str) -> None:
    """Every typed row of the file that broke no row rule, into raw.<entity> with its lineage."""
    cols = ", ".join(q(c.name) for c in entity.columns)
    typed = ", ".join(f"t.{q('t_' + c.name)}" for c in entity.columns)
    con.execute(
        f"""insert into raw.{entity.name} ({cols}, la_code, _source_file, _source_row, _file_sha256, _run_id, _extra)
        select {typed}, {lit(la_code)}, {lit(label)}, t._row, {lit(sha)}, {lit(run_id)}, t._extra
        from _typed t where t._row not in (select _row from _bad)"""
    )


def reconcile(con, result: LandResult) -> None:
    """rows_loaded is what raw.<entity> now holds from this file, counted (never supplied - quarantined), so a
    row lost (or doubled) between parsing and the insert is an error naming the file, which holds the LA back."""
    result.rows_loaded = con.execute(
        f"select count(*) from raw.{result.entity} where la_code = $la and _source_file = $f",
        {"la": result.la_code, "f": result.source_file},
    ).fetchone()[0]
    unaccounted = result.rows_supplied - result.rows_loaded - result.rows_quarantined
    if unaccounted:
        result.issues.append((
            "rows_unaccounted", "error",
            f"{result.la_code}/{result.source_file}: {result.rows_supplied} rows supplied, but {result.rows_loaded} "
            f"landed in raw.{result.entity} and {result.rows_quarantined} were quarantined ({unaccounted:+d} rows "
            "unaccounted for: a loader defect, please report it)"))


def _case_variants(con, la: LaExtract, entity: Entity, source: EntitySource) -> list[tuple[str, str, str]]:
    """A warning for IDs that differ only in case (ab123, AB123): IDs compare exactly, so they are two
    records, which is right only if the case system really distinguishes them. The message names rows,
    never the IDs: it is published in data_quality (the IDs stay in the LA's own file)."""
    if entity.key is None:
        return []
    key = q(entity.key)
    groups = con.execute(f"select list(_source_row order by _source_row) from raw.{entity.name} where la_code = $la "
                         f"and _source_file = $f group by lower({key}) having count(distinct {key}) > 1 order by 1",
                         {"la": la.la_code, "f": source.label}).fetchall()
    if not groups:
        return []
    shown = "; ".join("rows " + ", ".join(str(r) for r in g[0]) for g in groups[:5])
    return [("id_case_variants", "warning",
             f"{la.la_code}/{source.label}: {len(groups)} {entity.key} value(s) differ only in upper/lower case "
             f"({shown}): they are counted as different records; check they are not the same one")]


def _sha256(source: EntitySource) -> str:
    # adapter rows may come from several files; EntitySource.sha256 (where present) hashes them all
    return getattr(source, "sha256", None) or sha256_of(source.path)


def _other_sources(la: LaExtract, entity: Entity, source: EntitySource) -> list[str]:
    """Other per-entity files for the same entity (referrals.csv beside referrals.xlsx): which is right is unknowable."""
    if source.rows is not None or source.sheet is not None or not la.folder.is_dir():
        return []
    return [p.name for p in files(la.folder)
            if p != source.path and p.stem.strip().lower() == entity.name and p.suffix.lower() in SUPPORTED_SUFFIXES]


def _did_you_mean(name: str, headers: list[str], contract: set[str]) -> str:
    import difflib

    unknown = [h for h in headers if h.strip().lower() not in contract]
    close = difflib.get_close_matches(name, [h.strip().lower() for h in unknown], n=1, cutoff=0.75)
    if not close:
        return ""
    found = next(h for h in unknown if h.strip().lower() == close[0])
    return f" (the file has '{found}': misspelt?)"


def _record(con, result: LandResult, sha: str | None, run_id: str) -> None:
    if result.source_file is not None:
        con.execute(
            "insert into raw.supplied_entities values ($la, $e, $f, $sha, $s, $l, $qn, $run, $missing)",
            {"la": result.la_code, "e": result.entity, "f": result.source_file, "sha": sha,
             "s": result.rows_supplied, "l": result.rows_loaded, "qn": result.rows_quarantined, "run": run_id,
             "missing": json.dumps(result.missing_columns)},
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
        # whole numbers only: try_cast would round '1.5' to 2 without a word
        return f"case when regexp_full_match({raw}, '[+-]?[0-9]{{1,18}}') then cast({raw} as bigint) end"
    raise ValueError(f"unknown column type {col.type}")


def _typed_sql(entity: Entity, by_name: dict[str, str], extras: list[str], columns_in: list[str]) -> str:
    parts = ["_row", "_location" if "_location" in columns_in else "'row ' || _row as _location"]
    for col in entity.columns:
        column = by_name.get(col.name)
        raw = f"nullif(trim({q(column)}), '')" if column else "NULL::varchar"
        parts.append(f"{raw} as {q('r_' + col.name)}")
        parts.append(f"{_typed_expr(col, raw)} as {q('t_' + col.name)}")
    extra = ", ".join(f"{lit(c)}, {q(c)}" for c in extras)
    parts.append(f"json_object({extra})::varchar as _extra" if extras else "NULL::varchar as _extra")
    parts.append("_cell_issues" if "_cell_issues" in columns_in else "NULL::varchar as _cell_issues")
    return f"create or replace temp table _typed as select {', '.join(parts)} from _in"


def _violations_sql(la: LaExtract, entity: Entity, missing: list[str], columns: list[str],
                    file_rule: tuple[str, str] | None, has_cell_issues: bool) -> str:
    """One select per rule; each yields (_row, column_name, raw_value, rule, message)."""
    checks: list[str] = []

    def add(column, raw: str, rule: str, message: str, where: str, extra_from: str = "", table: str = "_typed") -> None:
        checks.append(f"select t._row, {lit(column)}, {raw}, {lit(rule)}, {message} from {table} t {extra_from} where {where}")

    if file_rule is not None:
        add(None, "NULL", file_rule[0], lit(file_rule[1]), "true")
    checks.append(
        """select t._row, i."column", i."value", i."rule", i."message"
           from _typed t, unnest(from_json(t._cell_issues,
                '[{"column": "VARCHAR", "value": "VARCHAR", "rule": "VARCHAR", "message": "VARCHAR"}]')) as u(i)
           where t._cell_issues is not null""")
    for c in columns:  # on the cells as supplied (_in), before trimming and typing
        add(c, f"replace({q(c)}, chr(0), '<NUL>')", "nul_byte",
            f"'{c.replace(chr(39), chr(39) * 2)} value ''' || replace({q(c)}, chr(0), '<NUL>') || ''' holds a NUL byte "
            "(an invisible control character): a damaged export?'",
            f"contains({q(c)}, chr(0))", table="_in")
        add(c, f"left({q(c)}, 100) || '...'", "value_too_long",
            f"'{c.replace(chr(39), chr(39) * 2)} holds ' || length({q(c)}) || ' characters (more than {MAX_CELL_CHARS}, "
            "the most a spreadsheet cell can hold)'",
            f"length({q(c)}) > {MAX_CELL_CHARS}", table="_in")

    for col in entity.columns:
        r, t = f"t.{q('r_' + col.name)}", f"t.{q('t_' + col.name)}"
        shown = f"'value ''' || {r} || ''''"
        if col.name in missing:
            add(col.name, "NULL", "missing_column", lit(f"required column {col.name} is missing from the file"), "true")
            continue
        if col.required:
            add(col.name, r, "required", lit(f"{col.name} is required but empty"), f"{r} is null")
        if col.type in ("date", "datetime", "flag", "integer"):
            what = {"date": "a date (YYYY-MM-DD or DD/MM/YYYY)", "datetime": "a date and time (YYYY-MM-DD HH:MM[:SS])",
                    "flag": "Y or N", "integer": "a whole number"}[col.type]
            add(col.name, r, f"invalid_{col.type}", f"'{col.name} ' || {shown} || ' is not {what}'",
                f"{r} is not null and {t} is null")
        if col.is_date:
            add(col.name, r, f"invalid_{col.type}", f"'{col.name} ' || {shown} || ' is before {EARLIEST_DATE}: a typo?'",
                f"{t}::date < date '{EARLIEST_DATE}'")
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
        if col.future_limit_days is not None:
            add(col.name, r, "implausible_date",
                f"'{col.name} ' || {shown} || ' is more than {col.future_limit_days} days after the extract date "
                f"{la.extract_date}: a typo?'",
                f"{t}::date > {lit(la.extract_date)}::date + {col.future_limit_days}")
        if col.is_date and not col.future_allowed:
            add(col.name, r, "date_after_extract",
                f"'{col.name} ' || {shown} || ' is after the extract date {la.extract_date}'",
                f"{t}::date > {lit(la.extract_date)}::date")

    if entity.key and entity.key not in missing:
        k = f"t.{q('t_' + entity.key)}"
        add(entity.key, f"t.{q('r_' + entity.key)}", "duplicate_id",
            f"'{entity.key} ''' || {k} || ''' appears more than once in the file'",
            f"{k} in (select {q('t_' + entity.key)} from _typed group by 1 having count(*) > 1)")

    for order in entity.order:
        if order.severity != "error":
            continue  # warnings are reported by the quality gate, the row still loads
        a, b = f"t.{q('t_' + order.earlier)}", f"t.{q('t_' + order.later)}"
        # two times of day compare as times (a decision at 09:00 before a 10:00 contact); otherwise by date
        timed = entity.column(order.earlier).type == entity.column(order.later).type == "datetime"
        add(order.later, f"t.{q('r_' + order.later)}", "end_before_start",
            f"'{order.later} ' || {b}::varchar || ' is before {order.earlier} ' || {a}::varchar",
            f"{b} < {a}" if timed else f"{b}::date < {a}::date")

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
                # a child known before birth (expected date given) may have events from 9 months before it
                f"{t}::date < least(c.date_of_birth, c.expected_date_of_birth - interval 9 month)::date",
                extra_from=f"join raw.children c on c.la_code = {lit(la.la_code)} and c.child_id = t.t_child_id")

    empty = "select null::bigint, null::varchar, null::varchar, null::varchar, null::varchar where false"
    union = "\nunion all\n".join([empty, *checks])
    return f"create or replace temp table _bad as select * from ({union}) as v(_row, column_name, raw_value, rule, message)"


def load_manifests(con, las: list[LaExtract], run_id: str, notes: list[tuple[str, str, str]] = ()) -> None:
    """Valid manifests land in raw.manifests; an invalid one is a dataset issue that holds the LA back.

    Each LA folder's manifest is also a check in audit.data_quality (entity 'manifest'). `notes`
    (inbox.inbox_notes: folder, rule, message) are warnings about inbox entries that are not LAs."""
    con.execute("delete from raw.manifests")
    con.execute("delete from audit.dataset_issues where entity in ('manifest', 'inbox')")
    for folder, rule, message in notes:
        con.execute("insert into audit.dataset_issues values ($f, 'inbox', NULL, $rule, 'warning', $msg, $run)",
                    {"f": folder, "rule": rule, "msg": message, "run": run_id})
    con.execute("delete from audit.data_quality where entity = 'manifest'")
    for la in las:
        if la.ok:
            con.execute(
                "insert into raw.manifests values ($la, $name, $d, $cs, $pop, $f, $sha, $run)",
                {"la": la.la_code, "name": la.la_name, "d": la.extract_date,
                 "cs": None if la.case_system is None else str(la.case_system),
                 "pop": json.dumps(la.population_0_17) if la.population_0_17 else None,
                 "f": "manifest.yml", "sha": la.manifest_sha256, "run": run_id},
            )
        for warning in getattr(la, "warnings", []):
            con.execute(
                "insert into audit.dataset_issues values ($la, 'manifest', 'manifest.yml', $rule, 'warning', $msg, $run)",
                {"la": la.la_code, "rule": rule_of(warning), "msg": warning, "run": run_id},
            )
        for problem in la.problems:
            con.execute(
                "insert into audit.dataset_issues values ($la, 'manifest', 'manifest.yml', $rule, 'error', $msg, $run)",
                {"la": la.la_code, "rule": rule_of(problem), "msg": problem, "run": run_id},
            )
        con.execute(
            "insert into audit.data_quality values ($run, $la, 'manifest', 'manifest_valid', 'error', 1, $n, $ok, $d)",
            {"run": run_id, "la": la.la_code, "n": len(la.problems), "ok": la.ok,
             "d": json.dumps({"rules": [rule_of(p) for p in la.problems], "message": "; ".join(la.problems)}
                             if la.problems else {})},
        )
