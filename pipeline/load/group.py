"""Land a group of files of one entity at once: one typed select, one select of broken rules, one
quarantine insert and one raw insert for every file of the group, however many LAs they come from.

The files of a group have the same headers (pipeline/load/land.py groups them), so the same SQL
types them all (pipeline/load/rules.py); their rows are stacked in one table, _in, with a column
naming the file, and `_files` holds what differs per file. Counts, the reconciliation of rows and the ID case
check are then one grouped query each. Nothing of a file's LandResult changes until every statement
has run: when one fails, land.py lands the files again one by one from results left as they were.
"""

from dataclasses import dataclass, field

import pyarrow as pa

from pipeline.load.readers import SourceRead
from pipeline.load.rules import lit, q, typed_sql, violations_sql
from pipeline.load.sources import Coverage, EntitySource, LaExtract
from pipeline.load.tables import with_arrow
from pipeline.pseudonyms import pseudonym_sql, set_salt
from pipeline.specs import Entity


@dataclass
class LandResult:
    la_code: str
    entity: str
    source_file: str | None
    rows_supplied: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    issues: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, severity, message)
    missing_columns: list[str] = field(default_factory=list)  # required ones: the file is unusable
    absent_columns: list[str] = field(default_factory=list)  # optional ones: not supplied
    sha256: str | None = None  # of the source, once read; None when it could not be loaded
    coverage: tuple[Coverage, ...] = ()  # what the source can support, once landed (raw.source_coverage)


@dataclass
class FileLoad:
    """One readable source in a group. by_name, extras and result.missing_columns follow from the
    headers alone, so they are the same for every file of the group."""

    la: LaExtract
    source: EntitySource
    result: LandResult
    index: int  # the file's `_file` in its group's tables
    read: SourceRead
    by_name: dict[str, str]  # header (stripped, lower case) -> column of the table: the contract's among them
    extras: list[str]  # columns the contract does not know: kept as JSON in _extra (none: `extras: drop`)
    file_rule: tuple[str, str] | None  # (rule, message): a defect that quarantines every row

    def kept(self, entity: Entity) -> list[str]:
        """The columns read whose values may be kept (audit.quarantine's raw_record): all, or for an
        entity whose unknown columns are dropped (staff data: practice.md 1.4), the contract's."""
        if not entity.drop_extras:
            return self.read.columns
        contract = {self.by_name[name] for name in entity.column_names if name in self.by_name}
        return [c for c in self.read.columns if c in contract]

    def staff_ids(self, entity: Entity) -> dict[str, str]:
        """Column read -> pseudonym domain, for the columns holding a staff ID (in any case or spacing)."""
        domains = {c.name: c.pseudonym for c in entity.columns if c.pseudonym}
        return {column: domains[header.strip().lower()] for header, column in zip(self.read.headers, self.read.columns)
                if header.strip().lower() in domains}


def land_group(con, entity: Entity, loads: list[FileLoad], file: str, run_id: str) -> None:
    """Type, check and land the rows of the files `loads`, stacked in the table _in: `_row`, optional
    `_location` / `_cell_issues`, the columns as read, and `file` (rules.file_column), the file's index."""
    first = loads[0]
    _files_table(con, loads)
    columns_in = [r[0] for r in con.execute("describe _in").fetchall()]
    staff_ids = first.staff_ids(entity)
    con.execute(typed_sql(entity, first.by_name, first.extras, columns_in, file))
    con.execute(violations_sql(entity, first.result.missing_columns, first.kept(entity), file, frozenset(staff_ids)))
    insert_quarantine(con, entity, first.kept(entity), file, run_id, staff_ids)
    insert_raw(con, entity, run_id)
    counts = {f: (supplied, quarantined, loaded) for f, supplied, quarantined, loaded in con.execute(
        f"""select f._file, (select count(*) from _typed t where t._file = f._file),
                  (select count(distinct b._row) from _bad b where b._file = f._file),
                  (select count(*) from raw.{entity.name} r where r.la_code = f.la_code and r._source_file = f.label)
           from _files f""").fetchall()}
    variants = _case_variants(con, entity, loads)
    con.execute("drop table _typed; drop table _bad; drop table _files")
    for load in loads:  # every statement ran: now the results may change
        r = load.result
        supplied, quarantined, r.rows_loaded = counts[load.index]  # loaded: counted in raw, every piece so far
        r.rows_supplied, r.rows_quarantined = r.rows_supplied + supplied, r.rows_quarantined + quarantined
        reconcile(r)
        # a file landed in pieces is checked again as a whole: the last check says it all
        r.issues = [i for i in r.issues if i[0] != "id_case_variants"] + variants.get(load.index, [])
        r.coverage = load.source.coverage


def _files_table(con, loads: list[FileLoad]) -> None:
    """Temp table _files: what differs between the files of a group, one row a file."""
    rules = [load.file_rule or (None, None) for load in loads]
    with_arrow(con, "create or replace temp table _files as select * from _arrow", pa.table({
        "_file": pa.array([load.index for load in loads], pa.int32()),
        "la_code": pa.array([load.result.la_code for load in loads], pa.string()),
        "label": pa.array([load.result.source_file for load in loads], pa.string()),
        "sha256": pa.array([load.result.sha256 for load in loads], pa.string()),
        "extract_date": pa.array([load.la.extract_date for load in loads], pa.date32()),
        "rule": pa.array([rule for rule, _ in rules], pa.string()),
        "message": pa.array([message for _, message in rules], pa.string()),
    }))


def insert_quarantine(con, entity: Entity, columns: list[str], file: str, run_id: str,
                      staff_ids: dict[str, str] | None = None) -> None:
    """A row per broken rule, named `LA/file row N:`, with the whole supplied record as JSON (built
    for quarantined rows only: most rows never need it). A staff ID (`staff_ids`: column read -> its
    pseudonym domain) is kept as its pseudonym, in raw_value and in the record (practice.md 1.4)."""
    staff_ids = staff_ids or {}
    def value(c: str) -> str:  # a staff ID as staging hashes it: trimmed
        return pseudonym_sql(f"nullif(trim(i.{q(c)}), '')", staff_ids[c]) if c in staff_ids else f"i.{q(c)}"

    record = ", ".join(f"{lit(c)}, {value(c)}" for c in columns)
    raw_value = "b.raw_value"
    if staff_ids:  # a rule on a staff ID names its contract column (or the column read, for a cell as supplied)
        set_salt(con)
        by_column = {**{c.name: c.pseudonym for c in entity.columns if c.pseudonym}, **staff_ids}
        raw_value = "case " + " ".join(f"when b.column_name = {lit(c)} then {pseudonym_sql('b.raw_value', d)}"
                                       for c, d in by_column.items()) + " else b.raw_value end"
    con.execute(
        f"""insert into audit.quarantine
        select f.la_code, {lit(entity.name)}, f.label, b._row, b.column_name, {raw_value}, b.rule,
               f.la_code || '/' || f.label || ' ' || t._location || ': ' || b.message,
               {lit(run_id)}, {f"json_object({record})::varchar" if columns else "'{}'"}
        from _bad b join _typed t on t._file = b._file and t._row = b._row
             join _in i on i.{q(file)} = b._file and i._row = b._row join _files f on f._file = b._file
        order by b._file, b._row"""
    )


def insert_raw(con, entity: Entity, run_id: str) -> None:
    """Every typed row that broke no row rule, into raw.<entity> with its lineage."""
    cols = ", ".join(q(c.name) for c in entity.columns)
    typed = ", ".join(f"t.{q('t_' + c.name)}" for c in entity.columns)
    con.execute(
        f"""insert into raw.{entity.name} ({cols}, la_code, _source_file, _source_row, _file_sha256, _run_id, _extra)
        select {typed}, f.la_code, f.label, t._row, f.sha256, {lit(run_id)}, t._extra
        from _typed t join _files f on f._file = t._file anti join _bad b on b._file = t._file and b._row = t._row"""
    )


def reconcile(result: LandResult) -> None:
    """rows_loaded is what raw.<entity> holds from the file, counted (never supplied - quarantined), so a
    row lost (or doubled) between parsing and the insert is an error naming the file, which holds the LA back."""
    unaccounted = result.rows_supplied - result.rows_loaded - result.rows_quarantined
    if unaccounted:
        result.issues.append((
            "rows_unaccounted", "error",
            f"{result.la_code}/{result.source_file}: {result.rows_supplied} rows supplied, but {result.rows_loaded} "
            f"landed in raw.{result.entity} and {result.rows_quarantined} were quarantined ({unaccounted:+d} rows "
            "unaccounted for: a loader defect, please report it)"))


def _case_variants(con, entity: Entity, loads: list[FileLoad]) -> dict[int, list[tuple[str, str, str]]]:
    """Per file, a warning for IDs that differ only in case (ab123, AB123): IDs compare exactly, so they
    are two records, which is right only if the case system really distinguishes them. The message names
    rows, never the IDs: it is published in data_quality (the IDs stay in the LA's own file)."""
    if entity.key is None:
        return {}
    key = q(entity.key)
    groups: dict[int, list] = {}
    # the rows are listed only for the few IDs that have variants (min <> max: two distinct values)
    for index, rows in con.execute(
            f"""with ids as (select f._file, r._source_row, r.{key} as id from raw.{entity.name} r
                             join _files f on r.la_code = f.la_code and r._source_file = f.label),
                variants as (select _file, lower(id) as low from ids group by all having min(id) <> max(id))
                select v._file, list(i._source_row order by i._source_row) from variants v
                join ids i on i._file = v._file and lower(i.id) = v.low group by v._file, v.low order by 1, 2"""
    ).fetchall():
        groups.setdefault(index, []).append(rows)
    labels = {load.index: f"{load.result.la_code}/{load.result.source_file}" for load in loads}
    return {index: [("id_case_variants", "warning",
                     f"{labels[index]}: {len(found)} {entity.key} value(s) differ only in upper/lower case "
                     f"({'; '.join('rows ' + ', '.join(str(r) for r in rows) for rows in found[:5])}): "
                     "they are counted as different records; check they are not the same one")]
            for index, found in groups.items()}
