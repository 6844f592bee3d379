"""Discover LA extract folders in the inbox, read their manifests and find each entity's file.

A folder may hold native files (extracts.md), statutory-format files (Annex A, SSDA903, CIN census:
pipeline/load/adapters) or both; entity_sources merges them (docs/statutory_formats.md).
"""

import hashlib
import stat
from datetime import date
from pathlib import Path
from typing import NamedTuple

import yaml

from pipeline import clock
from pipeline.errors import UsageError
from pipeline.load.sources import MANIFEST, WORKBOOK, EntitySource, LaExtract, read_regular
from pipeline.specs import entities

MANIFEST_MAX_BYTES = 64 * 1024  # a manifest is a few lines; more is a mistake or an attack
MAX_POPULATION = 2_000_000  # more 0-17 year olds than any English LA has (Kent: about 350,000)


def require_inbox(inbox: Path) -> None:
    """UsageError unless the inbox is a folder holding a folder (refresh and validate read nothing else)."""
    if not inbox.is_dir():
        raise UsageError(f"inbox {inbox} is not a folder (run `pipeline generate` for the synthetic demo inbox)")
    if not any(p.is_dir() for p in inbox.iterdir()):
        raise UsageError(f"inbox {inbox} has no LA folders (expected {inbox}/<la_code>/manifest.yml)")


def discover(inbox: Path) -> list[LaExtract]:
    """Every sub-folder of the inbox is one LA's extract; the manifest must name the same LA.
    Hidden folders (.name) are not LAs: inbox_notes() reports them."""
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder {inbox} does not exist")
    las = [read_manifest(d) for d in la_folders(inbox)]
    by_code: dict[str, list[LaExtract]] = {}
    for la in las:
        by_code.setdefault(la.la_code.lower(), []).append(la)
    for twins in by_code.values():  # X1 and x1: which one is the LA's extract cannot be known
        for la in twins if len(twins) > 1 else ():
            la.problems.append(f"{la.la_code}: folders {' and '.join(t.la_code for t in twins)} differ only in "
                               "case: keep one folder per LA (rule duplicate_la_folder)")
    return las


def la_folders(inbox: Path) -> list[Path]:
    """The inbox's LA folders: every sub-folder but hidden ones (.name), names that cannot be an LA
    partition key, empty folders and folders without a manifest (inbox_notes reports them), in name order."""
    return [d for d in sorted(inbox.iterdir()) if _not_an_la(d.name) is None and _is_dir(d) and _unread(d) is None]


def _unread(folder: Path) -> str | None:
    """The rule (empty_la_folder, manifest_missing) of a folder that is a finding, not an LA, or None.

    Each LA is a Dagster partition with a materialisation and checks per entity: 3,000 empty folders
    took a refresh 4 minutes and 2.4 GB for nothing, and 3,000 folders of one CSV without a manifest
    26 minutes and 2.7 GB (README "Running it on real extracts"). Without a manifest nothing about the
    files can be trusted, so they are never read. A folder that is a link, or one that cannot be
    listed, is an LA: read_manifest says why it is not read."""
    try:
        if folder.is_symlink():
            return None
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return None
    return "empty_la_folder" if not names else None if MANIFEST in names else "manifest_missing"


def _not_an_la(name: str) -> str | None:
    """The rule a folder name breaks that keeps it from being read as an LA, or None."""
    if name.startswith("."):
        return "hidden_folder"
    # Dagster refuses these in a partition key, and no LA code holds them
    if "..." in name or any(ord(c) < 32 for c in name):
        return "la_folder_name"
    return None


_NOTES = {
    "hidden_folder": "a hidden folder (its name starts with '.') is not read as an LA extract: rename it if it is one",
    "la_folder_name": "a folder whose name holds '...' or a control character is not read as an LA extract "
                      "(it cannot name an LA): rename it to the LA code",
    "empty_la_folder": "an empty folder is not an LA extract: put the LA's manifest.yml and files in it, or remove it",
    "manifest_missing": f"the folder has files but no {MANIFEST}, so it is not read as an LA extract and none of its "
                        f"files is loaded: add the LA's {MANIFEST} (docs/extracts.md), or remove the folder",
}
ERROR_NOTES = {"manifest_missing"}  # files someone sent and nobody will read: a person must act (exit 1)


class Note(NamedTuple):
    folder: str
    rule: str
    severity: str  # "error" (ERROR_NOTES) or "warning"
    message: str


def inbox_notes(inbox: Path) -> list[Note]:
    """Inbox entries that are not read as LAs but should not go unseen."""
    notes = []
    for d in sorted(inbox.iterdir()):
        if not _is_dir(d):
            continue
        if (rule := _not_an_la(d.name) or _unread(d)):
            name = printable(d.name)
            shown = repr(name) if rule == "la_folder_name" else name  # control characters made visible
            notes.append(Note(name, rule, "error" if rule in ERROR_NOTES else "warning",
                              f"{shown}: {_NOTES[rule]} (rule {rule})"))
    return notes


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a link loop, a name the file system refuses
        return False


def printable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (os.fsdecode keeps them as surrogates) shown as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_utf8(name: str) -> bool:
    return printable(name) == name


def unreadable_entries(folder: Path) -> list[str]:
    """Problems with entries of an LA folder that must not be read: links leading out of the inbox,
    FIFOs, devices, sockets, names that are not UTF-8. Sub-folders are not part of an extract."""
    root = folder.parent.resolve()
    problems = []
    for p in sorted(folder.iterdir()):
        where = f"{printable(folder.name)}/{printable(p.name)}"
        if not is_utf8(p.name):
            problems.append(f"{where}: the file name is not valid UTF-8 text: rename it (rule file_name_invalid)")
            continue
        mode = p.lstat().st_mode
        if stat.S_ISLNK(mode):
            target = p.resolve()
            if not target.is_relative_to(root):
                problems.append(f"{where}: is a symbolic link to {target}, outside the inbox: not read; copy the "
                                "file into the folder (rule link_outside_inbox)")
                continue
            mode = target.stat().st_mode if target.exists() else 0
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "a link to nothing")
            problems.append(f"{where}: is {kind}, not a regular file: not read (rule not_a_regular_file)")
    return problems


def files(folder: Path) -> list[Path]:
    """The regular files of an LA folder that may be read (links only when they stay in the inbox)."""
    root = folder.parent.resolve()
    return [p for p in sorted(folder.iterdir())
            if is_utf8(p.name) and (not p.is_symlink() or p.resolve().is_relative_to(root))
            and stat.S_ISREG(p.stat().st_mode if p.exists() else 0)]


class _ManifestLoader(yaml.SafeLoader):
    """Safe YAML without anchors or aliases: a manifest needs neither, and aliases are how a
    few hundred bytes expand into gigabytes ("billion laughs")."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.YAMLError(f"anchors and aliases (&name, *name) are not allowed (line {event.start_mark.line + 1})")
        return super().compose_node(parent, index)


def read_manifest(folder: Path) -> LaExtract:
    la = LaExtract(folder=folder, la_code=printable(folder.name))
    where = f"{la.la_code}/{MANIFEST}"
    if not is_utf8(folder.name):
        la.problems.append(f"{la.la_code}: the folder name is not valid UTF-8 text: name the folder after the LA "
                           "code (rule folder_name_invalid)")
        return la
    if folder.is_symlink() and not folder.resolve().is_relative_to(folder.parent.resolve()):
        la.problems.append(f"{la.la_code}: the folder is a symbolic link to {folder.resolve()}, outside the inbox: "
                           "not read (rule link_outside_inbox)")
        return la
    la.problems += unreadable_entries(folder)
    path = folder / MANIFEST
    if not path.is_file() or path not in files(folder):
        if not any(MANIFEST in p for p in la.problems):
            la.problems.append(f"{where}: manifest missing (rule manifest_missing)")
        return la
    try:
        raw = read_regular(path, MANIFEST_MAX_BYTES)
    except OSError as exc:
        la.problems.append(f"{where}: cannot be read ({exc.strerror or exc}) (rule manifest_invalid)")
        return la
    if len(raw) > MANIFEST_MAX_BYTES:
        la.problems.append(f"{where}: larger than {MANIFEST_MAX_BYTES // 1024} KB; a manifest is a few lines "
                           "(rule manifest_invalid)")
        return la
    la.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=_ManifestLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        detail = str(exc).splitlines()[0] if isinstance(exc, yaml.YAMLError) and not hasattr(exc, "problem_mark") \
            else exc.__class__.__name__
        la.problems.append(f"{where}: not valid YAML ({detail}) (rule manifest_invalid)")
        return la
    if not isinstance(data, dict):
        la.problems.append(f"{where}: expected a mapping of keys (rule manifest_invalid)")
        return la
    not_scalar = {key for key in ("la_code", "la_name", "extract_date", "case_system")
                  if isinstance(data.get(key), (list, dict))}
    for key in sorted(not_scalar):
        la.problems.append(f"{where}: {key} must be a single value, not a {type(data[key]).__name__} "
                           "(rule manifest_invalid)")
        data[key] = None
    code = str(data.get("la_code") or "").strip()
    if code != folder.name and "la_code" not in not_scalar:
        la.problems.append(
            f"{where}: la_code '{code}' does not match the folder name '{folder.name}' (rule manifest_la_mismatch)"
        )
    la.la_name = str(data.get("la_name") or "").strip() or None
    if not la.la_name and "la_name" not in not_scalar:
        la.problems.append(f"{where}: la_name is required (rule manifest_invalid)")
    la.case_system = data.get("case_system")
    la.extract_date = _as_date(data.get("extract_date"))
    if la.extract_date is None and "extract_date" not in not_scalar:
        la.problems.append(
            f"{where}: extract_date '{data.get('extract_date')}' is not a date (rule manifest_invalid)"
        )
    elif la.extract_date > (today := clock.today()):
        la.problems.append(f"{where}: extract_date {la.extract_date} is in the future (today in {clock.ZONE_NAME} "
                           f"is {today}): a typo? (rule manifest_invalid)")
    pop = data.get("population_0_17")
    if pop is not None:
        la.population_0_17 = _population(pop)
        if la.population_0_17 is None:
            la.problems.append(f"{where}: population_0_17 must map a year to a whole number from 1 to "
                               f"{MAX_POPULATION:,} (got {str(pop)[:80]}) (rule manifest_invalid)")
    _read_statutory_keys(la, data)
    if la.ok:
        statutory = _statutory(folder, la)
        la.statutory = statutory.formats
        la.problems += statutory.problems
        la.warnings += statutory.warnings
        # any native file (even one that turns out unreadable) makes it a native extract
        la.native = not statutory.formats or any(
            p.name.lower() in native_file_names() - {MANIFEST} for p in files(folder))
    return la


def _population(value) -> dict[int, int] | None:
    """{year: count} when every year is a year and every count a whole number in range, else None."""
    if not isinstance(value, dict):
        return None
    out = {}
    for year, n in value.items():
        if isinstance(year, bool) or isinstance(n, bool) or not isinstance(n, int) \
                or not 1 <= n <= MAX_POPULATION or not str(year).strip().isdigit() or not 1900 <= int(year) <= 2200:
            return None
        out[int(year)] = n
    return out


def _read_statutory_keys(la: LaExtract, data: dict) -> None:
    """Manifest keys for statutory formats: `formats` (which are present) and `complete_from`
    (format -> the date from which the LA vouches its files hold every record)."""
    from pipeline.load.adapters import FORMATS

    where = f"{la.folder.name}/{MANIFEST}"
    formats = data.get("formats")
    if formats is not None:
        names = [formats] if isinstance(formats, str) else formats
        unknown = [f for f in names if not isinstance(f, str) or f not in FORMATS] if isinstance(names, list) else [names]
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


def entity_sources(la: LaExtract) -> dict[str, EntitySource]:
    """Map entity name -> its source in the LA's folder, given its manifest as read (read_manifest):
    statutory formats are read only when it is valid. Native files win over statutory formats for the
    same entity (a warning says which statutory rows were not used); see docs/statutory_formats.md."""
    found = _native_sources(la.folder)
    if la.ok:
        for name, source in _statutory(la.folder, la).sources.items():
            found.setdefault(name, source)
    return found


def _statutory(folder: Path, la: LaExtract):
    from pipeline.load.adapters import read_statutory

    return read_statutory(folder, statutory_files(folder), la.extract_date, la.formats,
                          tuple(sorted(la.complete_from.items())), frozenset(_native_sources(folder)))


def statutory_files(folder: Path) -> tuple[Path, ...]:
    """The files statutory-format detection is offered: the folder's readable files that are not native."""
    return tuple(p for p in files(folder) if p.name.lower() not in native_file_names())


def native_file_names() -> set[str]:
    """Lower-case file names the native contract uses, which statutory-format detection skips."""
    return {f"{n}{ext}" for n in entities() for ext in (".csv", ".xlsx")} | {WORKBOOK, MANIFEST}


def _native_sources(folder: Path) -> dict[str, EntitySource]:
    """Native files only. A per-entity file wins over a sheet of extract.xlsx."""
    names = set(entities())
    found: dict[str, EntitySource] = {}
    workbook = next((p for p in files(folder) if p.name.lower() == WORKBOOK), None)
    if workbook is not None:
        from pipeline.load.readers import sheet_names

        for sheet in sheet_names(workbook):  # visible sheets only
            if sheet.strip().lower() in names:
                found[sheet.strip().lower()] = EntitySource(workbook, sheet)
    for p in files(folder):
        stem, suffix = p.stem.strip().lower(), p.suffix.lower()
        if stem in names and suffix in (".csv", ".xlsx"):
            found[stem] = EntitySource(p)
    return found
