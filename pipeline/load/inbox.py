"""Discover LA extract folders in the inbox, read their manifests and find each entity's file."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from pipeline.specs import entities

MANIFEST = "manifest.yml"
WORKBOOK = "extract.xlsx"  # all entities as sheets of one workbook


@dataclass(frozen=True)
class EntitySource:
    """Where one entity of one LA comes from: a CSV, an xlsx (first sheet), a sheet of extract.xlsx,
    or rows a statutory-format adapter already read (`rows`: an Arrow table of text columns with
    `_row` and, to name rows in the source's own terms, `_location`, e.g. "sheet List 3, row 12")."""

    path: Path
    sheet: str | None = None  # None: CSV, or the first sheet of a per-entity workbook
    rows: object | None = field(default=None, compare=False)  # pyarrow.Table from an adapter

    @property
    def label(self) -> str:
        return f"{self.path.name}[{self.sheet}]" if self.sheet else self.path.name

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
    problems: list[str] = field(default_factory=list)  # dataset-level: the LA cannot be loaded

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
    return la


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def entity_sources(folder: Path) -> dict[str, EntitySource]:
    """Map entity name -> its source in the folder. A per-entity file wins over a sheet of extract.xlsx."""
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
