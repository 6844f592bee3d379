"""Discover LA extract folders in the inbox, read their manifests and find each entity's file.

A folder may hold native files (extracts.md), statutory-format files (Annex A, SSDA903, CIN census:
pipeline/load/adapters) or both; entity_sources merges them (docs/statutory_formats.md).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from pipeline.specs import entities

MANIFEST = "manifest.yml"
WORKBOOK = "extract.xlsx"  # all entities as sheets of one workbook


@dataclass(frozen=True)
class Coverage:
    """What a statutory-format source can support (docs/statutory_formats.md). Figures of indicators
    that need the entity are complete only for periods from `covered_from` (None: never), for every
    such indicator or only `indicator_id`, and for every breakdown or only `dimension`."""

    covered_from: date | None
    reason: str
    indicator_id: str | None = None
    dimension: str | None = None


@dataclass(frozen=True)
class EntitySource:
    """Where one entity of one LA comes from: a CSV, an xlsx (first sheet), a sheet of extract.xlsx,
    or rows a statutory-format adapter already read (`rows`: an Arrow table of text columns with
    `_row` and, to name rows in the source's own terms, `_location`, e.g. "sheet List 3, row 12")."""

    path: Path
    sheet: str | None = None  # None: CSV, or the first sheet of a per-entity workbook
    rows: object | None = field(default=None, compare=False)  # pyarrow.Table from an adapter
    name: str | None = None  # label of adapter rows, e.g. "census.xml[CINdetails]", "SSDA903 episodes files"
    files: tuple[Path, ...] = ()  # every file the adapter rows came from (default: path)
    coverage: tuple[Coverage, ...] = ()

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"{self.path.name}[{self.sheet}]" if self.sheet else self.path.name

    @property
    def sha256(self) -> str:
        """Content hash of the source: of its one file, or of all the files adapter rows came from."""
        if len(self.files) <= 1:
            return sha256_of(self.files[0] if self.files else self.path)
        h = hashlib.sha256()
        for p in sorted(self.files):
            h.update(p.name.encode() + b"\0" + sha256_of(p).encode())
        return h.hexdigest()

    @property
    def is_xlsx(self) -> bool:
        return self.path.suffix.lower() == ".xlsx"


@dataclass
class LaExtract:
    folder: Path
    la_code: str
    la_name: str | None = None
    extract_date: date | None = None
    case_system: str | None = None
    population_0_17: dict[int, int] | None = None
    manifest_sha256: str | None = None
    # False when the folder holds only statutory formats (Annex A, SSDA903, CIN census): then the
    # native "required" files do not apply, only what those formats carry (extracts.md)
    native: bool = True
    formats: tuple[str, ...] | None = None  # manifest `formats`: the statutory formats present (else detected)
    complete_from: dict[str, date] = field(default_factory=dict)  # manifest: format -> complete from
    statutory: tuple[str, ...] = ()  # the statutory formats read from the folder
    problems: list[str] = field(default_factory=list)  # dataset-level: the LA cannot be loaded
    warnings: list[str] = field(default_factory=list)  # reported, the LA still loads

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def discover(inbox: Path) -> list[LaExtract]:
    """Every sub-folder of the inbox is one LA's extract; the manifest must name the same LA."""
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    return [read_manifest(d) for d in sorted(inbox.iterdir()) if d.is_dir() and not d.name.startswith(".")]


def read_manifest(folder: Path) -> LaExtract:
    la = LaExtract(folder=folder, la_code=folder.name)
    path = folder / MANIFEST
    if not path.is_file():
        la.problems.append(f"{folder.name}/{MANIFEST}: manifest missing (rule manifest_missing)")
        return la
    la.manifest_sha256 = sha256_of(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        la.problems.append(f"{folder.name}/{MANIFEST}: not valid YAML ({exc.__class__.__name__}) (rule manifest_invalid)")
        return la
    if not isinstance(data, dict):
        la.problems.append(f"{folder.name}/{MANIFEST}: expected a mapping of keys (rule manifest_invalid)")
        return la
    code = str(data.get("la_code") or "").strip()
    if code != folder.name:
        la.problems.append(
            f"{folder.name}/{MANIFEST}: la_code '{code}' does not match the folder name '{folder.name}' (rule manifest_la_mismatch)"
        )
    la.la_name = str(data.get("la_name") or "").strip() or None
    if not la.la_name:
        la.problems.append(f"{folder.name}/{MANIFEST}: la_name is required (rule manifest_invalid)")
    la.case_system = data.get("case_system")
    la.extract_date = _as_date(data.get("extract_date"))
    if la.extract_date is None:
        la.problems.append(
            f"{folder.name}/{MANIFEST}: extract_date '{data.get('extract_date')}' is not a date (rule manifest_invalid)"
        )
    pop = data.get("population_0_17")
    if pop is not None:
        try:
            la.population_0_17 = {int(y): int(n) for y, n in pop.items()}
        except (AttributeError, TypeError, ValueError):
            la.problems.append(f"{folder.name}/{MANIFEST}: population_0_17 must map year to count (rule manifest_invalid)")
    _read_statutory_keys(la, data)
    if la.ok:
        statutory = _statutory(folder, la)
        la.statutory = statutory.formats
        la.problems += statutory.problems
        la.warnings += statutory.warnings
        # any native file (even one that turns out unreadable) makes it a native extract
        la.native = not statutory.formats or any(
            p.name.lower() in native_file_names() - {MANIFEST} for p in folder.iterdir() if p.is_file())
    return la


def _read_statutory_keys(la: LaExtract, data: dict) -> None:
    """Manifest keys for statutory formats: `formats` (which are present) and `complete_from`
    (format -> the date from which the LA vouches its files hold every record)."""
    from pipeline.load.adapters import FORMATS

    where = f"{la.folder.name}/{MANIFEST}"
    formats = data.get("formats")
    if formats is not None:
        names = [formats] if isinstance(formats, str) else formats
        unknown = [f for f in names if f not in FORMATS] if isinstance(names, list) else [names]
        if unknown:
            la.problems.append(f"{where}: formats {unknown} not known; use any of {sorted(FORMATS)} (rule manifest_invalid)")
        else:
            la.formats = tuple(names)
    complete = data.get("complete_from") or {}
    if not isinstance(complete, dict) or any(f not in FORMATS or _as_date(d) is None for f, d in complete.items()):
        la.problems.append(f"{where}: complete_from must map a format ({', '.join(sorted(FORMATS))}) "
                           f"to a date (rule manifest_invalid)")
    else:
        la.complete_from = {f: _as_date(d) for f, d in complete.items()}


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def entity_sources(folder: Path) -> dict[str, EntitySource]:
    """Map entity name -> its source in the folder. Native files win over statutory formats for the
    same entity (a warning says which statutory rows were not used); see docs/statutory_formats.md."""
    found = _native_sources(folder)
    la = read_manifest(folder)
    if la.ok:
        for name, source in _statutory(folder, la).sources.items():
            found.setdefault(name, source)
    return found


def _statutory(folder: Path, la: LaExtract):
    from pipeline.load.adapters import read_statutory

    return read_statutory(folder, la.extract_date, la.formats, tuple(sorted(la.complete_from.items())),
                          frozenset(_native_sources(folder)))


def native_file_names() -> set[str]:
    """Lower-case file names the native contract uses, which statutory-format detection skips."""
    return {f"{n}{ext}" for n in entities() for ext in (".csv", ".xlsx")} | {WORKBOOK, MANIFEST}


def _native_sources(folder: Path) -> dict[str, EntitySource]:
    """Native files only. A per-entity file wins over a sheet of extract.xlsx."""
    names = set(entities())
    found: dict[str, EntitySource] = {}
    workbook = next((p for p in folder.iterdir() if p.name.lower() == WORKBOOK), None)
    if workbook is not None:
        from pipeline.load.readers import sheet_names

        for sheet in sheet_names(workbook):
            if sheet.strip().lower() in names:
                found[sheet.strip().lower()] = EntitySource(workbook, sheet)
    for p in sorted(folder.iterdir()):
        stem, suffix = p.stem.strip().lower(), p.suffix.lower()
        if stem in names and suffix in (".csv", ".xlsx"):
            found[stem] = EntitySource(p)
    return found
