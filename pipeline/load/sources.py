"""What an LA's extract is made of: the LA folder and its manifest (LaExtract), where each entity's
rows come from (EntitySource) and what a statutory-format source can support (Coverage).

The bottom of the load layer: it imports nothing else of the package, so the inbox, the readers,
the adapters and land.py can all depend on it without depending on each other.
"""

import hashlib
import os
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (open_regular); OSError if it is anything else."""
    with open_regular(path) as f:
        return f.read() if limit is None else f.read(limit + 1)


def open_regular(path: Path):
    """A regular file opened for reading bytes, without following a link and without blocking (a FIFO
    named like an extract would otherwise hang the load); OSError if it is anything else."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    f = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise OSError(f"{path.name} is not a regular file")
    return f
