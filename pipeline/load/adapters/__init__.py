"""Adapters for the statutory formats LAs already produce: the Ofsted Annex A workbook, the SSDA903
CSVs or XML and the CIN census XML. Each turns its files into the native entities of extracts.md, as
EntitySource rows that land.py types and checks exactly like a native file
(docs/statutory_formats.md says what each format supports).

read_statutory() detects the formats in a folder (or takes the manifest's `formats`), runs their
adapters and merges the result: where two formats supply the same entity the earlier in FORMATS
wins (SSDA903 for looked-after children, the CIN census for referrals and plans, Annex A last),
except children, which are merged from all of them because every other entity is checked against
them. A native file for an entity wins over every format. The result is cached per folder state,
because each entity's load asks for it again.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from pipeline.load.adapters import annex_a, cin_census, ssda903
from pipeline.load.adapters.common import Adapted, ReadContext, merge_children
from pipeline.runtime import stopping

# priority order for an entity two formats supply (children are merged, in this order)
FORMATS = {"ssda903": ssda903, "cin_census": cin_census, "annex_a": annex_a}


@dataclass(frozen=True)
class StatutoryRead:
    formats: tuple[str, ...] = ()
    sources: dict = field(default_factory=dict)  # entity -> EntitySource
    problems: tuple[str, ...] = ()  # dataset errors: the LA is held back
    warnings: tuple[str, ...] = ()


def read_statutory(folder: Path, candidates: tuple[Path, ...], extract_date: date | None,
                   formats: tuple[str, ...] | None, complete_from: tuple[tuple[str, date], ...],
                   native: frozenset[str]) -> StatutoryRead:
    """`candidates`: the folder's readable files that are not native extract files (the inbox decides
    which entries may be read at all)."""
    return _read(folder, _fingerprint(folder), candidates, extract_date, formats, complete_from, native)


def _fingerprint(folder: Path) -> tuple:
    """The folder's state: a changed, added or removed file reads the folder again."""
    return tuple(sorted((p.name, st.st_size, st.st_mtime_ns) for p in folder.iterdir()
                        if p.is_file() and (st := p.stat())))


@lru_cache(maxsize=16)
def _read(folder: Path, _state: tuple, candidates, extract_date, formats, complete_from, native) -> StatutoryRead:
    la = folder.name
    problems: list[str] = []
    found: dict[str, list[Path]] = {}
    for name, module in FORMATS.items():  # a file is the first format's to recognise it (an SSDA903 XML
        claimed = {f for files in found.values() for f in files}  # is not offered to the CIN census)
        found[name] = [f for f in module.detect(list(candidates)) if f not in claimed]
    if formats is not None:
        for name in formats:
            if not found[name]:
                problems.append(f"{la}/manifest.yml: formats lists {name} but the folder holds no "
                                f"{FORMATS[name].TITLE} file (rule statutory_file_missing)")
        found = {name: files for name, files in found.items() if name in formats}
    complete = dict(complete_from)
    results: list[Adapted] = []
    for name, files in found.items():
        if files:
            ctx = ReadContext(la_code=la, extract_date=extract_date, complete_from=complete.get(name))
            try:
                results.append(FORMATS[name].read(files, ctx))
            except Exception as exc:  # a file no rule foresaw must hold the LA back, not crash the load
                stopping.reraise(exc)  # unless it is Ctrl-C in disguise
                results.append(Adapted(name, FORMATS[name].TITLE, problems=[
                    f"{la}/{', '.join(f.name for f in files)}: cannot be read as {FORMATS[name].TITLE} "
                    f"({exc.__class__.__name__}: {str(exc)[:200]}) (rule unreadable_file)"]))
    problems += [p for r in results for p in r.problems]
    warnings = [w for r in results for w in r.warnings]
    sources: dict = {}
    for result in results:  # FORMATS order: the first format to supply an entity wins
        for entity, source in result.sources.items():
            if entity == "children":
                continue
            if entity in native:
                warnings.append(f"{la}/{source.label}: {entity} come from the native {entity} file; "
                                f"the {result.title} rows are not used (rule statutory_overridden)")
            elif entity in sources:
                warnings.append(f"{la}/{source.label}: {entity} come from {sources[entity].label}; "
                                f"the {result.title} rows are not used (rule statutory_overridden)")
            else:
                sources[entity] = source
    children = [r.sources["children"] for r in results if "children" in r.sources]
    if children and "children" not in native:
        sources["children"] = merge_children(children)
    elif children:
        warnings.append(f"{la}: children come from the native children file; children in "
                        f"{', '.join(c.label for c in children)} are not used (rule statutory_overridden)")
    return StatutoryRead(tuple(r.format for r in results), sources, tuple(problems), tuple(warnings))
