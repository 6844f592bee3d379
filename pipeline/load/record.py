"""raw.la_sources: where each entity of each LA of a run comes from, recorded once when the manifests
are read, so that each entity's load reads this record instead of walking the inbox and reading
every manifest again. A table of the build warehouse, not memory: a run's steps may each run in a
process of their own.

A native source is recorded as its file (and sheet), read when the entity loads. Rows a statutory-
format adapter made (Annex A, SSDA903, CIN census) are recorded as the adapter read they came from:
the files offered, the manifest's formats and complete_from, the entities native files supply. The
load runs that read again on those files. So an adapter source is read at load time like a native
file, by the same code, and the build warehouse holds no second copy of every statutory extract; in
one process the read is the one the manifest step made (read_statutory caches it).
"""

import json
from datetime import date
from pathlib import Path

from pipeline.load.adapters import read_statutory
from pipeline.load.inbox import entity_sources, statutory_files
from pipeline.load.sources import EntitySource, LaExtract
from pipeline.load.tables import insert_rows
from pipeline.specs import entities


def record_sources(con, las: list[LaExtract], run_id: str) -> None:
    """One row per valid LA and entity of the contract: its source, or none (not supplied). The LAs'
    manifests as discover() read them: each is read once a run."""
    con.execute("delete from raw.la_sources")
    rows = []
    for la in las:
        if not la.ok:
            continue
        sources = entity_sources(la)
        read = json.dumps({"files": [p.name for p in statutory_files(la.folder)], "formats": la.formats,
                           "complete_from": {f: d.isoformat() for f, d in sorted(la.complete_from.items())},
                           "native": sorted(name for name, s in sources.items() if s.rows is None)})
        for name in entities():
            source = sources.get(name)
            file = source is not None and source.rows is None  # else adapter rows, or not supplied
            rows.append((la.la_code, name, str(la.folder), la.native, source.label if source else None,
                         source.path.name if file else None, source.sheet if file else None,
                         read if source is not None and not file else None, run_id))
    insert_rows(con, "raw.la_sources", rows)


def recorded_sources(con, entity: str) -> list[tuple[LaExtract, EntitySource | None]]:
    """Each recorded LA (as much of its extract as a load needs) with its source of `entity`, by LA code.
    An LA whose statutory files can no longer be read as recorded comes back with the problems."""
    rows = con.execute(
        """select s.la_code, s.folder, s.native, s.file, s.sheet, s.statutory, m.la_name, m.extract_date
           from raw.la_sources s join raw.manifests m using (la_code) where s.entity = $e order by s.la_code""",
        {"e": entity}).fetchall()
    out = []
    for code, folder, native, file, sheet, statutory, name, extract_date in rows:
        la = LaExtract(Path(folder), code, name, extract_date, native=native)
        if statutory is not None:
            source = _adapter_source(la, entity, json.loads(statutory))
        else:
            source = EntitySource(la.folder / file, sheet) if file else None
        out.append((la, source))
    return out


def _adapter_source(la: LaExtract, entity: str, read: dict) -> EntitySource | None:
    try:
        statutory = read_statutory(
            la.folder, tuple(la.folder / f for f in read["files"]), la.extract_date,
            None if read["formats"] is None else tuple(read["formats"]),
            tuple((f, date.fromisoformat(d)) for f, d in read["complete_from"].items()), frozenset(read["native"]))
    except OSError as exc:  # the folder went away during the refresh
        la.problems.append(f"{la.la_code}: cannot be read again ({exc.__class__.__name__}: {exc.strerror or exc}) "
                           "(rule unreadable_file)")
        return None
    # a file changed or removed since the manifest step read it: the LA's error, never a silent gap
    la.problems += statutory.problems
    return statutory.sources.get(entity)
