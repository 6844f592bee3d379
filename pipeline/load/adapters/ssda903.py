"""SSDA903 children looked after return (CSV files, or the XML form: ssda903_xml.py) -> children,
cla_episodes, care_leavers, cla_reviews, missing_episodes, cla_oc2, adoption (AD1 and
placed_for_adoption) and deprivation_of_liberty (DoLo, CSV only).

Mapping: pipeline/specs/ssda903.yml. CSV files are recognised by their header row, XML files by their
root element; several years of files (of either form) are merged, a record repeated across years
(same key, e.g. same child and episode start) kept once, from the latest year. Dates stay DD/MM/YYYY
text (land.py reads them).
"""

import csv
import re
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from pipeline.load.adapters import ssda903_xml
from pipeline.load.adapters.common import (
    Adapted, ReadContext, column_value, coverage_for, make_source,
)
from pipeline.specs import entities, format_spec
from pipeline.specs.formats import Ssda903Entity, Ssda903Part

FORMAT = "ssda903"
TITLE = "SSDA903"
ENCODINGS = ("utf-8-sig", "cp1252")
# a year 20YY in a file name, alone or as a range 2023-24 / 2023_2024 (digits around it are not years)
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?:[-_ ](\d\d|20\d\d))?(?!\d)")


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
            # one year for all its records: that of its episodes (OC2 in a file without episodes: as for a
            # CSV without a year in its name)
            year = _year_end(xml.kinds.get("episodes", []), "DECOM", ctx.extract_date)
            oc2_year = year or _oc2_year(None, ctx.extract_date)
            for kind, rows in xml.kinds.items():
                by_kind.setdefault(kind, []).append(Part(path, rows, oc2_year if kind == "oc2" else year))
            continue
        try:
            header, rows = _read_csv(path)
        except (UnicodeDecodeError, csv.Error) as exc:
            out.problems.append(f"{ctx.la_code}/{path.name}: cannot be read as CSV ({exc}) (rule unreadable_file)")
            continue
        kind = _kind(header)
        year = (_oc2_year(path, ctx.extract_date) if kind == "oc2"
                else _year_end(rows, spec.year_dates.get(kind), ctx.extract_date))
        by_kind.setdefault(kind, []).append(Part(path, rows, year))
    # the latest year last, so its version of a record repeated across years wins
    for parts in by_kind.values():
        parts.sort(key=lambda part: (part.year or date.min, part.path.name))
    if "oc2" in by_kind:
        by_kind["oc2"] = _one_oc2_per_year(by_kind["oc2"], ctx, out)
    uasc = {(r.get("CHILD") or "").strip() for part in by_kind.get("uasc", []) for _, _, r in part.rows}
    for entity_name, entity_spec in spec.entities.items():
        parts = [part for p in entity_spec.parts for part in by_kind.get(p.kind, [])]
        if not parts:
            continue
        records = _records(entity_name, entity_spec, by_kind, ctx)
        if entity_name == "children" and "uasc" in by_kind:
            for record in records:
                record["uasc"] = "Y" if record["child_id"] in uasc else "N"
        files_used = tuple(dict.fromkeys(p.path for p in parts))
        source = make_source(entity_name, records, files_used[-1], files=files_used,
                             coverage=_coverage(entity_name, entity_spec, parts, by_kind, ctx),
                             name=_label(entity_spec, by_kind, files_used))
        if source:
            out.sources[entity_name] = source
    return out


def _label(entity_spec: Ssda903Entity, by_kind: dict[str, list[Part]], files: tuple[Path, ...]) -> str | None:
    """One XML supplies every kind: "903.xml[episodes]" says which, as episodes.csv does; several files
    (years, or AD1 and placed_for_adoption): "SSDA903 episodes files"."""
    kinds = " + ".join(p.kind for p in entity_spec.parts if by_kind.get(p.kind))
    if len(files) > 1:
        return f"SSDA903 {kinds} files"
    return f"{files[0].name}[{kinds}]" if files[0].suffix.lower() == ".xml" else None


def _coverage(entity_name: str, entity_spec: Ssda903Entity, parts: list[Part], by_kind: dict[str, list[Part]],
              ctx: ReadContext) -> tuple:
    """care.md B.9: a yearly file holds its year's records, so an entity is complete from the 1 April
    starting the earliest year of its files (AD1: of the episodes files); the manifest's complete_from
    overrides it. Children, care leavers and OC2 (an annual snapshot of the years it has) have no start."""
    frm, start = entity_spec.complete_from, None
    if frm:
        start = ctx.complete_from or _year_start(by_kind.get("episodes", []) if frm == "episodes" else parts)
    kind = entity_spec.kind if frm != "episodes" else "episodes"
    why = (f"SSDA903 {kind} files hold the {'episodes open during' if kind == 'episodes' else 'records of'} "
           f"their collection year")
    return coverage_for(format_spec(FORMAT).coverage.get(entity_name), start, why, ctx.extract_date)


def _one_oc2_per_year(parts: list[Part], ctx: ReadContext, out: Adapted) -> list[Part]:
    """care.md B.4: two OC2 files of one year: the one whose name sorts last is read, with a warning."""
    by_year: dict[date | None, list[Part]] = {}
    for part in parts:
        by_year.setdefault(part.year, []).append(part)
    kept = []
    for year, same in by_year.items():
        same.sort(key=lambda part: part.path.name)
        if len(same) > 1:
            out.warnings.append(
                f"{ctx.la_code}: {len(same)} SSDA903 OC2 files for the year ending {year}: "
                f"{', '.join(p.path.name for p in same)}; only {same[-1].path.name} (the last by name) is read "
                f"(rule ssda903_oc2_same_year)")
        kept.append(same[-1])
    return kept


def _records(entity_name: str, entity_spec: Ssda903Entity, by_kind: dict[str, list[Part]], ctx: ReadContext) -> list[dict]:
    """Native records of one entity from its files; a record of the merged kind (placed_for_adoption)
    with the key of one of the main kind's (AD1) fills in its empty fields instead of adding a record."""
    paths = {p.path for part_spec in entity_spec.parts for p in by_kind.get(part_spec.kind, [])}
    several = len(paths) > 1
    merged = _latest(entity_name, entity_spec, by_kind.get(entity_spec.kind, []), ctx, several)
    if entity_spec.merge:
        other = _latest(entity_name, entity_spec.merge, by_kind.get(entity_spec.merge.kind, []), ctx, several)
        for key, records in other.items():
            mine = merged.get(key)
            if mine and len(mine) == 1 and len(records) == 1:
                mine[0].update({k: v for k, v in records[0].items() if mine[0].get(k) is None})
                mine[0]["_location"] += f" and {records[0]['_location']}"
            else:
                merged.setdefault(key, []).extend(records)  # a repeated key stays repeated: land.py says so
    return [r for records in merged.values() for r in records]


def _latest(entity_name: str, part_spec: Ssda903Part, parts: list[Part], ctx: ReadContext,
            several: bool) -> dict[tuple, list[dict]]:
    """Records of one kind by key, oldest year first: a key found in a later year's file replaces the
    earlier year's records. A key repeated within one file stays repeated, so land.py quarantines both
    as duplicate IDs, as it would in a native file. Keys compare dates as dates (01/04/2017 =
    2017-04-01), and with the file's year when the entity has a year column (OC2)."""
    entity = entities()[entity_name]
    year_column = getattr(part_spec, "year_column", None)
    merged: dict[tuple, list[dict]] = {}
    for path, rows, year in parts:
        in_file: dict[tuple, list[dict]] = {}
        separator = " " if path.suffix.lower() == ".xml" else ", "
        for n, location, row in rows:
            record = {name: column_value(row.get(src.field), entity.column(name), src, FORMAT)
                      for name, src in part_spec.columns.items()}
            key_values = {k: (row.get(k) or "").strip() for k in part_spec.key}
            if part_spec.id:
                record[entity.key] = part_spec.id.format(**{k: _iso(v) or v for k, v in key_values.items()})
            if year_column:
                record[year_column] = year.isoformat() if year else None
            if entity_name == "care_leavers":
                record["contact_date"] = _latest_birthday(row.get("DOB"), ctx.extract_date)
            record["_row"] = n
            record["_location"] = f"{path.name}{separator}{location}" if several else location
            key = tuple(_iso(v) or v for v in key_values.values()) + ((year,) if year_column else ())
            in_file.setdefault(key, []).append(record)
        for key, records in in_file.items():
            merged.pop(key, None)  # re-inserted: a replaced record takes the later year's place
            merged[key] = records
    return merged


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


def _year_end(rows: list[ssda903_xml.Row], column: str | None, extract_date: date) -> date | None:
    """The 31 March ending the collection year of a file: the first on or after the latest of its
    `column` dates (episodes: DECOM; dates after the extract date are errors and do not count)."""
    if column is None:
        return None
    starts = [date.fromisoformat(d) for _, _, r in rows if (d := _iso(r.get(column)))]
    starts = [d for d in starts if d <= extract_date]
    if not starts:
        return None
    latest = max(starts)
    return date(latest.year + (latest > date(latest.year, 3, 31)), 3, 31)


def _oc2_year(path: Path | None, extract_date: date) -> date:
    """care.md B.4 (choice): the 31 March of the one year the file name gives (`oc2_2024.csv`; a
    range `2023-24` gives its later year), else the last 31 March on or before the extract date."""
    if path is not None:
        years = set()
        for first, second in YEAR_IN_NAME.findall(path.stem):
            later = int(second[-2:]) if second else None
            years.add(int(first) + (1 if later == (int(first) + 1) % 100 else 0))
        if len(years) == 1:
            return date(years.pop(), 3, 31)
    return date(extract_date.year - (extract_date < date(extract_date.year, 3, 31)), 3, 31)


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
