"""What the statutory-format adapters share: their typed specs (pipeline/specs/<format>.yml, read by
pipeline.specs.format_spec), header and code normalisation, and turning mapped records into the
EntitySource rows land.py expects.

Values stay text: land.py types them and applies the row rules. Adapters only put the value in the
native shape: a code variant the spec's code maps recognise (`a) Neglect` -> NEG), a date cell as
ISO text. A value no rule recognises is passed on unchanged, so land.py quarantines it with the
value as supplied.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pyarrow as pa

from pipeline.load.sources import Coverage, EntitySource
from pipeline.load.readers import cell_text
from pipeline.specs import Column, code_lists, entities, format_spec
from pipeline.specs.formats import Coverage as CoverageSpec, FieldRef

FLAG_CODES = ("Y", "N")
LIST_LETTER = re.compile(r"^\(?[a-z]{1,2}\)\s*", re.IGNORECASE)  # "a) Yes", "q) 6: Police"
CODE_SEPARATOR = re.compile(r"\s*(?::|\s[-\u2013]\s)\s*")  # "U6: Foster placement", "N1 - Abuse or neglect"


@dataclass(frozen=True)
class ReadContext:
    la_code: str
    extract_date: date
    complete_from: date | None = None  # manifest: the LA vouches its files are complete from this date


@dataclass
class Adapted:
    """One format's reading of a folder: a source per entity, and what stopped or limited it."""

    format: str
    title: str
    sources: dict[str, EntitySource] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # dataset errors: the LA is held back
    warnings: list[str] = field(default_factory=list)


def normalise_header(text) -> str:
    """Header text as compared: case, spacing, quotes (curly or straight), brackets and other
    punctuation do not matter ("Child’s Legal Status" = "childs legal status")."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    text = re.sub(r"['\"`\u2018\u2019\u201c\u201d]", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@cache
def code_maps(format_name: str) -> dict[str, dict[str, str]]:
    """The format's code maps with normalised keys: map name -> {variant: native code}."""
    maps = format_spec(format_name).code_maps
    return {name: {normalise_header(k): v for k, v in m.items()} for name, m in maps.items()}


def normalise_code(raw: str | None, code_map: dict[str, str] | None = None,
                   valid: tuple[str, ...] | None = None) -> str | None:
    """The native code a statutory value stands for: a code-map variant (`a) Neglect`, `Yes`), or
    the code before a label (`q) 6: Police` -> 6, `f) U6: Foster placement` -> U6). With `valid`
    (the native code list) an unrecognised value comes back as supplied; without it (free codes
    such as ethnicity) the code before the label is taken."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    bare = LIST_LETTER.sub("", text)
    head = CODE_SEPARATOR.split(bare, maxsplit=1)[0].strip()
    for candidate in (text, bare, head):
        if code_map and normalise_header(candidate) in code_map:
            return code_map[normalise_header(candidate)]
    if valid is None:
        return head or text
    for candidate in (bare, head):
        if candidate.upper() in valid:
            return candidate.upper()
    return text


def column_value(value, column: Column, source: FieldRef | None, format_name: str) -> str | None:
    """One native column's text from a source value (a cell, CSV field or XML text), by the
    column's type and its source's options (`map`: code map name, `code`: take the code of a free-text value)."""
    text = cell_text(value, column.is_date)
    if text is None:
        return None
    code, map_name = (source.code, source.map) if source else (False, None)
    if column.type in ("code", "flag") or code or map_name:
        maps = code_maps(format_name)
        map_name = map_name or column.codes or ("flag" if column.type == "flag" else None)
        valid = code_lists()[column.codes] if column.codes else FLAG_CODES if column.type == "flag" else None
        return normalise_code(text, maps.get(map_name), valid)
    return text.strip()


def entity_table(entity_name: str, records: list[dict]) -> pa.Table:
    """The rows land.py reads: every required native column and every optional one the format
    carries (a record has it, even empty) as text, `_row` and `_location`. An optional column the format
    does not carry is left out, so the loader records it as not supplied (raw.absent_columns: Annex A
    List 2 has no early help plan or end date). `_row` must identify a row in the table (land joins on
    it): rows drawn from several sheets or files, whose source row numbers repeat, are numbered 1..n
    instead; `_location` still names the source row."""
    rows = [r["_row"] for r in records]
    if len(set(rows)) != len(rows):
        rows = list(range(1, len(records) + 1))
    data = {"_row": pa.array(rows, pa.int64()),
            "_location": pa.array([r["_location"] for r in records], pa.string())}
    carried = {name for r in records for name in r}
    for column in entities()[entity_name].columns:
        if column.required or column.name in carried:
            data[column.name] = pa.array([r.get(column.name) for r in records], pa.string())
    return pa.table(data)


def make_source(entity_name: str, records: list[dict], path: Path, *, sheet: str | None = None,
                name: str | None = None, files: tuple[Path, ...] = (),
                coverage: tuple[Coverage, ...] = ()) -> EntitySource | None:
    """An EntitySource of adapter rows; None when the source holds no record of the entity, so the
    entity counts as not supplied (its indicators are absent, never zero)."""
    if not records:
        return None
    return EntitySource(path, sheet, entity_table(entity_name, records), name, files, coverage)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_start(extract_date: date, months: int) -> date:
    """First day of "the last N months" before the extract date (N = 0: the day after it, i.e. the
    source shows only the state on the extract date)."""
    return add_months(extract_date, -months) + timedelta(days=1)


def coverage_for(spec: CoverageSpec | None, start: date | None, start_reason: str,
                 extract_date: date) -> tuple[Coverage, ...]:
    """Coverage of one entity from the format spec's `coverage.<entity>`: complete from `start`;
    `unsupported` indicators never; `lookback` indicators months after start (they look back that
    far); `latest_only` breakdowns (or whole indicators) only at the extract date (the source gives only the
    latest value)."""
    spec = spec or CoverageSpec()
    out = [Coverage(start, start_reason)] if start else []
    out += [Coverage(None, reason, indicator) for indicator, reason in spec.unsupported.items()]
    if start:
        out += [Coverage(add_months(start, item.months), item.reason, indicator)
                for indicator, item in spec.lookback.items()]
    out += [Coverage(extract_date + timedelta(days=1), reason, indicator, dimension)
            for indicator, dims in spec.latest_only.items()
            for dimension, reason in (dims.items() if isinstance(dims, dict) else [(None, dims)])]
    return tuple(out)


def merge_children(sources: list[EntitySource]) -> EntitySource:
    """One children source from several formats' (in priority order): a child in more than one
    takes each field from the first that has it. Repeats within one source stay, so land.py
    quarantines them as duplicate IDs like in a native file."""
    if len(sources) == 1:
        return sources[0]
    merged: dict[str, dict] = {}
    repeats: list[dict] = []
    for source in sources:
        seen: set[str] = set()
        for record in source.rows.to_pylist():
            record["_location"] = f"{source.label} {record['_location']}"
            child = record.get("child_id")
            if child is None or child in seen:
                repeats.append(record)
                continue
            seen.add(child)
            if child in merged:
                merged[child].update({k: v for k, v in record.items() if merged[child].get(k) is None})
            else:
                merged[child] = record
    files = tuple(dict.fromkeys(f for s in sources for f in (s.files or (s.path,))))
    return EntitySource(sources[0].path, None, entity_table("children", [*merged.values(), *repeats]),
                        " + ".join(s.label for s in sources), files)
