"""SSDA903 children looked after return (CSV files, or the XML form: ssda903_xml.py) -> children,
cla_episodes, care_leavers.

Mapping: pipeline/specs/ssda903.yml. CSV files are recognised by their header row, XML files by their
root element; several years of files (of either form) are merged, a record repeated across years
(same child, same episode start) kept once, from the latest year. Dates stay DD/MM/YYYY text
(land.py reads them).
"""

import csv
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from pipeline.load.adapters import ssda903_xml
from pipeline.load.adapters.common import (
    Adapted, ReadContext, column_value, coverage_for, make_source,
)
from pipeline.specs import entities, format_spec
from pipeline.specs.formats import Ssda903Entity

FORMAT = "ssda903"
TITLE = "SSDA903"
ENCODINGS = ("utf-8-sig", "cp1252")


class Part(NamedTuple):
    """One file's records of one kind: (position, location, fields by CSV column) rows, and the
    31 March ending the file's collection year (None when not known)."""

    path: Path
    rows: list[ssda903_xml.Row]
    year: date | None


def detect(candidates: list[Path]) -> list[Path]:
    root = format_spec(FORMAT).xml.root
    return [p for p in candidates if (
        p.suffix.lower() == ".csv" and _kind(_header(p)) is not None
        or p.suffix.lower() == ".xml" and ssda903_xml.root_name(p) == root)]


def read(files: list[Path], ctx: ReadContext) -> Adapted:
    out = Adapted(FORMAT, TITLE)
    spec = format_spec(FORMAT)
    by_kind: dict[str, list[Part]] = {}
    for path in files:
        if path.suffix.lower() == ".xml":
            try:
                xml = ssda903_xml.read(path, spec.xml, f"{ctx.la_code}/{path.name}")
            except ssda903_xml.XmlProblem as exc:
                out.problems.append(str(exc))
                continue
            out.warnings += xml.warnings
            year = _year_end(xml.kinds.get("episodes", []), ctx.extract_date)  # one year for all its records
            for kind, rows in xml.kinds.items():
                by_kind.setdefault(kind, []).append(Part(path, rows, year))
            continue
        try:
            header, rows = _read_csv(path)
        except (UnicodeDecodeError, csv.Error) as exc:
            out.problems.append(f"{ctx.la_code}/{path.name}: cannot be read as CSV ({exc}) (rule unreadable_file)")
            continue
        by_kind.setdefault(_kind(header), []).append(Part(path, rows, _year_end(rows, ctx.extract_date)))
    # the latest year last, so its version of a record repeated across years wins
    for parts in by_kind.values():
        parts.sort(key=lambda part: (part.year or date.min, part.path.name))
    uasc = {(r.get("CHILD") or "").strip() for part in by_kind.get("uasc", []) for _, _, r in part.rows}
    for entity_name, entity_spec in spec.entities.items():
        parts = by_kind.get(entity_spec.kind, [])
        if not parts:
            continue
        records = _records(entity_name, entity_spec, parts, ctx)
        if entity_name == "children" and "uasc" in by_kind:
            for record in records:
                record["uasc"] = "Y" if record["child_id"] in uasc else "N"
        files_used = tuple(p.path for p in parts)
        coverage = ()
        if entity_name == "cla_episodes":
            start = ctx.complete_from or _year_start(parts)
            coverage = coverage_for(spec.coverage.get(entity_name), start,
                                    "SSDA903 episodes files hold the episodes open during their year", ctx.extract_date)
        # one XML supplies every kind: "903.xml[episodes]" says which, as episodes.csv does
        name = (f"SSDA903 {entity_spec.kind} files" if len(parts) > 1
                else f"{parts[0].path.name}[{entity_spec.kind}]" if parts[0].path.suffix.lower() == ".xml" else None)
        source = make_source(entity_name, records, files_used[-1], files=files_used, coverage=coverage, name=name)
        if source:
            out.sources[entity_name] = source
    return out


def _records(entity_name: str, entity_spec: Ssda903Entity, parts: list, ctx: ReadContext) -> list[dict]:
    """Native records of one entity from its files, oldest year first: a key found in a later year's
    file replaces the earlier year's records. A key repeated within one file stays repeated, so
    land.py quarantines both as duplicate IDs, as it would in a native file."""
    entity = entities()[entity_name]
    merged: dict[tuple, list[dict]] = {}
    for path, rows, _ in parts:
        in_file: dict[tuple, list[dict]] = {}
        separator = " " if path.suffix.lower() == ".xml" else ", "
        for n, location, row in rows:
            record = {name: column_value(row.get(src.field), entity.column(name), src, FORMAT)
                      for name, src in entity_spec.columns.items()}
            key_values = {k: (row.get(k) or "").strip() for k in entity_spec.key}
            if entity_spec.id:
                record[entity.key] = entity_spec.id.format(**{k: _iso(v) or v for k, v in key_values.items()})
            if entity_name == "care_leavers":
                record["contact_date"] = _latest_birthday(row.get("DOB"), ctx.extract_date)
            record["_row"] = n
            record["_location"] = f"{path.name}{separator}{location}" if len(parts) > 1 else location
            in_file.setdefault(tuple(_iso(v) or v for v in key_values.values()), []).append(record)
        for key, records in in_file.items():
            merged.pop(key, None)  # re-inserted: a replaced record takes the later year's place
            merged[key] = records
    return [r for records in merged.values() for r in records]


def _header(path: Path) -> list[str]:
    for encoding in ENCODINGS:
        try:
            with open(path, newline="", encoding=encoding) as f:
                return [h.strip().upper() for h in next(csv.reader(f), [])]
        except (UnicodeDecodeError, csv.Error):
            continue
    return []


def _kind(header: list[str]) -> str | None:
    columns = set(header)
    return next((kind for kind, needed in format_spec(FORMAT).kinds.items() if set(needed) <= columns), None)


def _read_csv(path: Path) -> tuple[list[str], list[ssda903_xml.Row]]:
    """Header (upper case) and (file row number, "row <n>", record) rows; the header is row 1."""
    last: Exception | None = None
    for encoding in ENCODINGS:
        try:
            with open(path, newline="", encoding=encoding) as f:
                reader = csv.reader(f)
                header = [h.strip().upper() for h in next(reader, [])]
                rows = [(n, f"row {n}", dict(zip(header, values))) for n, values in enumerate(reader, start=2)
                        if any(v.strip() for v in values)]
            return header, rows
        except UnicodeDecodeError as exc:
            last = exc
    raise last


def _iso(text: str | None) -> str | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime((text or "").strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _year_end(rows: list[ssda903_xml.Row], extract_date: date) -> date | None:
    """The 31 March ending the collection year of an episodes file: the first on or after its latest
    episode start (starts after the extract date are errors and do not count)."""
    starts = [date.fromisoformat(d) for _, _, r in rows if (d := _iso(r.get("DECOM")))]
    starts = [d for d in starts if d <= extract_date]
    if not starts:
        return None
    latest = max(starts)
    return date(latest.year + (latest > date(latest.year, 3, 31)), 3, 31)


def _year_start(parts: list[Part]) -> date | None:
    ends = [p.year for p in parts if p.year]
    return date(min(ends).year - 1, 4, 1) if ends else None


def _latest_birthday(dob: str | None, extract_date: date) -> str | None:
    born = _iso(dob)
    if born is None:
        return None
    born_on = date.fromisoformat(born)
    for year in (extract_date.year, extract_date.year - 1):
        try:
            birthday = born_on.replace(year=year)
        except ValueError:  # 29 February in a common year: 28 February
            birthday = date(year, 2, 28)
        if birthday <= extract_date:
            return birthday.isoformat() if birthday >= born_on else None
    return None
