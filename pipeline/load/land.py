"""Land one entity for every LA of a run, applying the row-level rules of extracts.md in bulk SQL.

Each LA's source is read on its own (pipeline/load/readers/) and its header matched to the
contract here; then the files whose headers are the same (usually every LA's file of the entity)
are stacked and landed together (pipeline/load/group.py), so the rules run once per group, not once
per LA. Rows breaking a rule go to audit.quarantine (one row per broken rule, with the whole supplied
record as JSON so nothing is lost); the rest land typed in raw.<entity> with lineage columns.
A file-level defect that still lets rows be counted (a missing or repeated column, the wrong
delimiter) quarantines every row under that rule, so loaded + quarantined = supplied must hold;
rows_loaded is counted in raw afterwards and a mismatch is an error naming the file
(`rows_unaccounted`). A file that cannot be read at all is a dataset issue, and one that cannot be
landed (`load_failed`) is its LA's problem only: a group whose SQL fails is landed again file by
file. Loading the same LA again replaces its rows, so a file loaded twice is never duplicated.
A file is read in pieces (readers/delimited.py) and one larger than a group spans several landings:
its counts add up over them, and a failure undoes only what the failed landing inserted.
"""

import json
import logging
import sys
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
import pyarrow as pa

from pipeline.publish import STAGE_EVENT
from pipeline.runtime import stopping
from pipeline.runtime.gc_paused import gc_paused
from pipeline.load.dataset_rules import dataset_warnings
from pipeline.load.group import FileLoad, LandResult, land_group
from pipeline.load.inbox import Note, files
from pipeline.load.readers import UnreadableSource, read_source, sheet_names, workbook_problem
from pipeline.load.rules import file_column
from pipeline.load.sources import WORKBOOK, EntitySource, LaExtract, sha256_of
from pipeline.load.tables import insert_rows, registered
from pipeline.publish import STAGE_EVENT
from pipeline.specs import Entity

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
# a group's rows are held (as Arrow) until the group is typed at once: past this many, the group is
# landed and the next files start another, so memory stays bounded at national scale
MAX_GROUP_ROWS = 2_000_000


@dataclass
class _Group:
    """Files read so far whose headers are the same, and their rows (a table per piece, by file), each
    with its file's index in the column `file` (rules.file_column)."""

    file: str
    loads: list[FileLoad] = field(default_factory=list)
    rows: dict[int, list[pa.Table]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(table.num_rows for tables in self.rows.values() for table in tables)

    def add(self, load: FileLoad, rows: pa.Table) -> None:
        if load.index not in self.rows:
            self.loads.append(load)
        self.rows.setdefault(load.index, []).append(
            rows.append_column(self.file, pa.array(np.full(rows.num_rows, load.index, np.int32))))

    def drop(self, load: FileLoad) -> None:
        if self.rows.pop(load.index, None) is not None:
            self.loads.remove(load)


def rule_of(problem: str) -> str:
    """The rule name at the end of a problem message: '... (rule manifest_invalid)'."""
    return problem.rsplit("(rule ", 1)[-1].rstrip(")") if "(rule " in problem else "invalid"


def clear(con, entity: str, la_codes: list[str]) -> None:
    """Forget what an earlier load of these LAs' entity left, so reloading never duplicates."""
    las = {"las": sorted(set(la_codes))}
    con.execute(f"delete from raw.{entity} where list_contains($las, la_code)", las)
    for table in ("audit.quarantine", "raw.supplied_entities", "raw.absent_columns", "raw.source_coverage",
                  "audit.dataset_issues"):
        con.execute(f"delete from {table} where entity = $e and list_contains($las, la_code)", {**las, "e": entity})


def land_entities(con, entity: Entity, extracts: list[tuple[LaExtract, EntitySource | None]],
                  run_id: str) -> list[LandResult]:
    """Each LA's source of `entity` (None: not supplied), landed; a result per LA, in the same order."""
    clear(con, entity.name, [la.la_code for la, _ in extracts])
    results: list[LandResult] = []
    groups: dict[tuple, _Group] = {}  # by headers and row shape: open groups, still taking files
    for la, source in extracts:
        result = LandResult(la.la_code, entity.name, source.label if source else None)
        results.append(result)
        if not la.ok:  # its recorded files could not be read again (pipeline/load/record.py): nothing loads
            result.source_file = None
            result.issues += [(rule_of(p), "error", p) for p in la.problems]
        elif source is None:
            _missing_source(la, entity, result)
        elif (read := _read(la, entity, source, result, len(results) - 1)) is not None:
            _add(con, entity, *read, groups, run_id)
    for group in groups.values():
        _land(con, entity, group, run_id)
    if entity.warnings:  # dataset-level warnings on the rows that loaded, every LA at once
        found = dataset_warnings(con, entity, {r.la_code: r.absent_columns for r in results if r.rows_loaded})
        for result in results:
            result.issues += found.get(result.la_code, [])
    _record(con, results, run_id)
    return results


def _read(la: LaExtract, entity: Entity, source: EntitySource, result: LandResult, index: int):
    """Read the source's header and first piece and match the header: (load, group key, pieces of rows),
    or None when the file could not be read (then `result` says why)."""
    try:
        with gc_paused():
            read, pieces = read_source(source, entity)
            first = next(pieces)
        load = _match_headers(la, entity, source, read, result, index)
        result.sha256 = _sha256(source)
    except UnreadableSource as exc:
        result.issues.append((exc.rule, "error", f"{la.la_code}/{exc}"))
        result.sha256 = _sha256(source)
        return None
    except Exception as exc:  # one LA's file must never stop the other LAs: report it as that LA's problem
        stopping.reraise(exc)  # but Ctrl-C, in whatever disguise, stops the refresh
        _failed(result, exc)
        return None
    key = (tuple(read.headers), tuple((f.name, str(f.type)) for f in first.schema))
    return load, key, chain([first], pieces)


def _add(con, entity: Entity, load: FileLoad, key: tuple, pieces, groups: dict[tuple, _Group], run_id: str) -> None:
    """Add the file's rows, piece by piece, to the group of files with the same header, landing the group
    whenever it is full: a file larger than a group spans several landings. A piece that cannot be read
    (a quote left open near the end of a large file) undoes what the file landed."""
    result = load.result
    try:
        while True:
            with gc_paused():
                rows = next(pieces, None)
            if rows is None:
                return
            group = groups.setdefault(key, _Group(file_column(rows.column_names)))
            group.add(load, rows)
            if group.size >= MAX_GROUP_ROWS:
                _land(con, entity, groups.pop(key), run_id)
                if result.sha256 is None:  # the landing failed (_failed): the rest of the file is not read
                    return
    except Exception as exc:
        stopping.reraise(exc)
        for other, group in list(groups.items()):
            group.drop(load)
            if not group.loads:
                del groups[other]
        clear(con, entity.name, [result.la_code])
        result.rows_supplied = result.rows_loaded = result.rows_quarantined = 0
        if isinstance(exc, UnreadableSource):
            result.issues.append((exc.rule, "error", f"{result.la_code}/{exc}"))
        else:
            _failed(result, exc)


def _land(con, entity: Entity, group: _Group, run_id: str) -> None:
    """The group's files in one go, their rows stacked as _in; if that fails, each on its own (a group
    of one), so that an odd file fails only its own LA."""
    try:
        with registered(con, "_in", pa.concat_tables([t for tables in group.rows.values() for t in tables])):
            sys.audit(STAGE_EVENT, "load:landing")  # a stop test's Ctrl-C arrives here (tests/pause_at.py)
            land_group(con, entity, group.loads, group.file, run_id)
        sys.audit(STAGE_EVENT, "load:landed")  # an entity's rows landed, its gate not run: a crash test stops here
    except Exception as exc:
        stopping.reraise(exc)  # DuckDB's "Query interrupted" is Ctrl-C, not a bad file
        if len(group.loads) == 1:
            clear(con, entity.name, [group.loads[0].result.la_code])  # and what earlier pieces of its file landed
            _failed(group.loads[0].result, exc)
            return
        _undo(con, entity, group)
        log.debug("landing %d %s files together failed: landing them one by one", len(group.loads), entity.name,
                  exc_info=True)
        for load in group.loads:
            _land(con, entity, _Group(group.file, [load], {load.index: group.rows[load.index]}), run_id)


def _undo(con, entity: Entity, group: _Group) -> None:
    """Delete what a failed landing of the group may have left: the rows of the group only, not those
    earlier pieces of its files landed (a file larger than a group spans several landings)."""
    tables = [(load, table) for load in group.loads for table in group.rows[load.index]]
    rows = pa.table({
        "la_code": pa.concat_arrays([pa.array(np.full(t.num_rows, load.result.la_code, object), pa.string())
                                     for load, t in tables]),
        "label": pa.concat_arrays([pa.array(np.full(t.num_rows, load.result.source_file, object), pa.string())
                                   for load, t in tables]),
        "_row": pa.concat_arrays([t["_row"].combine_chunks() for _, t in tables])})
    with registered(con, "_undo", rows):
        con.execute(f"""delete from raw.{entity.name} r using _undo u
                        where r.la_code = u.la_code and r._source_file = u.label and r._source_row = u._row""")
        con.execute("""delete from audit.quarantine q using _undo u where q.entity = $e and q.la_code = u.la_code
                       and q.source_file = u.label and q.row_number = u._row""", {"e": entity.name})


def _failed(result: LandResult, exc: Exception) -> None:
    log.debug("loading %s/%s failed", result.la_code, result.source_file, exc_info=exc)
    result.rows_supplied = result.rows_loaded = result.rows_quarantined = 0
    result.sha256 = None
    result.issues.append(("load_failed", "error", f"{result.la_code}/{result.source_file}: could not be loaded "
                                                  f"({exc.__class__.__name__}: {str(exc).strip()[:200]})"))


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


def _match_headers(la: LaExtract, entity: Entity, source: EntitySource, read, result: LandResult,
                   index: int) -> FileLoad:
    """Match the header to the contract (case-insensitive, surrounding spaces ignored: extracts.md) and
    note in `result` what is wrong with the file as a whole."""
    for rule, message in read.notes:
        result.issues.append((rule, "warning", f"{la.la_code}/{message}"))
    others = _other_sources(la, entity, source)
    file_rule = read.file_rule
    if others:
        file_rule = ("ambiguous_source", f"{entity.name} is supplied twice ({source.label} and {', '.join(others)}): "
                                         "remove one")
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
    result.absent_columns = [c for c in missing if not entity.column(c).required]
    for name in result.missing_columns:
        result.issues.append(("missing_column", "error", f"{la.la_code}/{source.label}: required column {name} is "
                                                         f"missing{_did_you_mean(name, read.headers, contract)}"))
    extras = [c for h, c in zip(read.headers, read.columns) if h.strip().lower() not in contract or c != by_name[h.strip().lower()]]
    if entity.drop_extras and extras:  # staff data: what else the HR or case system exported (a name) is never kept
        unknown = [h for h, c in zip(read.headers, read.columns) if c in extras]
        result.issues.append(("extra_columns_dropped", "warning",
                              f"{la.la_code}/{source.label}: column(s) {', '.join(unknown)} are not in the contract "
                              f"for {entity.name} and are not loaded (staff data: only the contract's columns are kept)"))
        extras = []
    return FileLoad(la, source, result, index, read, by_name, extras, file_rule)


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


def _record(con, results: list[LandResult], run_id: str) -> None:
    """raw.supplied_entities, raw.absent_columns, audit.dataset_issues and raw.source_coverage of every LA's
    file, one insert each."""
    insert_rows(con, "raw.supplied_entities", [
        (r.la_code, r.entity, r.source_file, r.sha256, r.rows_supplied, r.rows_loaded, r.rows_quarantined, run_id,
         json.dumps(r.missing_columns)) for r in results if r.source_file is not None])
    insert_rows(con, "raw.absent_columns", [
        (r.la_code, r.entity, r.source_file, column, run_id) for r in results if r.source_file is not None
        for column in r.absent_columns])
    insert_rows(con, "audit.dataset_issues", [
        (r.la_code, r.entity, r.source_file, rule, severity, message, run_id)
        for r in results for rule, severity, message in r.issues])
    insert_rows(con, "raw.source_coverage", [  # statutory formats: what the source can support
        (r.la_code, r.entity, r.source_file, c.indicator_id, c.dimension, c.covered_from, c.reason, run_id)
        for r in results for c in r.coverage])


def load_manifests(con, las: list[LaExtract], run_id: str, notes: list[Note] = ()) -> None:
    """Valid manifests land in raw.manifests; an invalid one is a dataset issue that holds the LA back.

    Each LA folder's manifest is also a check in audit.data_quality (entity 'manifest'). `notes`
    (inbox.inbox_notes) are findings about inbox entries that are not LAs, e.g. a folder without a manifest."""
    con.execute("delete from raw.manifests")
    con.execute("delete from audit.dataset_issues where entity in ('manifest', 'inbox')")
    con.execute("delete from audit.data_quality where entity = 'manifest'")
    insert_rows(con, "raw.manifests", [
        (la.la_code, la.la_name, la.extract_date, None if la.case_system is None else str(la.case_system),
         json.dumps(la.population_0_17) if la.population_0_17 else None, "manifest.yml", la.manifest_sha256, run_id)
        for la in las if la.ok])
    insert_rows(con, "audit.dataset_issues", [
        *((n.folder, "inbox", None, n.rule, n.severity, n.message, run_id) for n in notes),
        *((la.la_code, "manifest", "manifest.yml", rule_of(text), severity, text, run_id) for la in las
          for severity, texts in (("warning", getattr(la, "warnings", [])), ("error", la.problems)) for text in texts)])
    insert_rows(con, "audit.data_quality", [
        (run_id, la.la_code, "manifest", "manifest_valid", "error", 1, len(la.problems), la.ok,
         json.dumps({"rules": [rule_of(p) for p in la.problems], "message": "; ".join(la.problems)}
                    if la.problems else {}))
        for la in las])
