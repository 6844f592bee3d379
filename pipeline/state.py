"""Which LAs a refresh must run, and why: per-LA change detection (docs/warehouse.md, "Incremental refresh").

An LA's result depends on its folder and on the reference data every LA is built with. Both are
fingerprinted; after each refresh of an LA the published warehouse records them in
audit.refresh_state (published or held back alike, so an unchanged held-back LA is not retried
every night). The next refresh runs an LA again only when its folder or the reference changed, or
when asked to (--la, --full). This module imports nothing of Dagster: `pipeline refresh` plans (and
returns on an unchanged inbox) before Dagster is imported (pipeline/defs/refresh.py); the sensor,
the schedule and the run's first step use the same functions.
"""

import csv
import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from pipeline.load.inbox import la_folders, printable
from pipeline.paths import DBT_PROJECT_DIR, EXPECTATIONS_DIR, SEEDS_DIR, SPECS_DIR
from pipeline.specs import check_la_settings, gate
from pipeline.warehouse_file import require_readable

# The dataset-level gate thresholds' defaults (pipeline/specs/gate.yml; RefreshSettings fields): part of
# the reference, since moving one can turn an LA's verdict.
GATE_DEFAULTS = gate().defaults

# Run tag carrying the reference fingerprint a run was planned with, so its first step need not
# compute it again. Set only where the run starts in the process that planned it (pipeline/defs/refresh.py):
# a queued run (sensor, schedule) may start after the reference changed, so it computes its own.
REFERENCE_TAG = "pipeline/reference_fingerprint"

# The per-LA settings seed (practice.md section 3): each LA's rows (and the `*` defaults) are part of
# that LA's reference only (la_reference), so a change to one LA's settings re-runs that LA alone.
SETTINGS_SEED = "la_settings.csv"

STATE_DDL = """create table if not exists audit.refresh_state (
    la_code varchar, folder_fingerprint varchar, reference_fingerprint varchar, run_id varchar,
    refreshed_at timestamp, status varchar)"""


def folder_fingerprint(folder: Path) -> str:
    """Every file's relative name, size and modification time: cheap, and it changes when any file is
    added, changed (a rewrite moves the mtime) or removed."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        try:
            st = p.stat()
        except OSError:  # a link to nothing, a file removed while we look: the load reports it
            h.update(f"{p.relative_to(folder)}|unreadable\n".encode("utf-8", "surrogateescape"))
            continue
        if p.is_file():
            # surrogateescape: a name that is not UTF-8 must not stop the plan (the load reports it)
            h.update(f"{p.relative_to(folder)}|{st.st_size}|{st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def reference_fingerprint(expectations: Path = EXPECTATIONS_DIR, seeds: Path | None = None,
                          dbt_project: Path = DBT_PROJECT_DIR, specs: Path = SPECS_DIR, **thresholds) -> str:
    """The content of everything each LA is built and gated with besides its own files: the seeds,
    the dbt project (models, macros, tests, dbt_project.yml), the expectation suites, the specs
    (pipeline/specs/*.yml), the gate thresholds (defaults overridden by `thresholds`) and the package
    version; not the LA settings seed, which each LA's la_reference adds. A settings seed that breaks its rules raises pipeline.specs.ReferenceDataError (a
    ValueError) naming the rows: every refresh computes this before it loads, so none builds with it."""
    seeds = Path(seeds or SEEDS_DIR)
    check_la_settings(seeds / "la_settings.csv")
    h = hashlib.sha256()
    roots = {"seeds": (seeds, ["*.csv", "*.yml"]), "dbt": (dbt_project, ["dbt_project.yml", "models/**/*",
             "macros/**/*", "tests/**/*"]), "expectations": (Path(expectations), ["*.json"]),
             "specs": (Path(specs), ["*.yml"])}
    files = sorted((f"{name}/{p.relative_to(root)}", p) for name, (root, patterns) in roots.items()
                   for pattern in patterns for p in root.glob(pattern)
                   if p.is_file() and (name, p.name) != ("seeds", SETTINGS_SEED))
    for label, p in files:  # by label, so the same content in another folder gives the same fingerprint
        h.update(f"{label}|".encode() + hashlib.sha256(p.read_bytes()).digest())
    gate = {**GATE_DEFAULTS, **{k: v for k, v in thresholds.items() if k in GATE_DEFAULTS}}
    h.update(json.dumps(gate, sort_keys=True).encode())
    try:
        h.update(version("pipeline").encode())
    except PackageNotFoundError:  # run from a checkout that is not installed: the files above still count
        pass
    return h.hexdigest()


def la_reference(reference: str, la_code: str, seeds: Path | None = None) -> str:
    """What one LA is built with: the shared `reference` (reference_fingerprint) and the rows of the
    settings seed that can apply to it, its own and the `*` defaults (their `source` notes aside)."""
    with open(Path(seeds or SEEDS_DIR) / SETTINGS_SEED, newline="", encoding="utf-8") as f:
        rows = sorted([r["la_code"], r["setting"], r["value"], r["valid_from"]] for r in csv.DictReader(f)
                      if r["la_code"] in ("*", la_code))
    return hashlib.sha256(json.dumps([reference, rows]).encode()).hexdigest()


@dataclass
class PlannedLa:
    la_code: str
    folder: Path
    run: bool
    reason: str  # why it runs (new, extract changed, ...) or why not (unchanged since ...)


def stored_state(warehouse: Path) -> dict[str, tuple]:
    """la_code -> (folder_fingerprint, reference_fingerprint, run_id, refreshed_at, status) of the
    published warehouse; empty when there is none yet or it predates refresh state. UsageError for a
    damaged file (pipeline.warehouse_file): planned from, it would find every LA unchanged."""
    require_readable(warehouse)
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not con.execute("select 1 from duckdb_tables() where schema_name = 'audit' and table_name = 'refresh_state'"
                           ).fetchone():
            return {}
        return {r[0]: r[1:] for r in con.execute(
            "select la_code, folder_fingerprint, reference_fingerprint, run_id, refreshed_at, status "
            "from audit.refresh_state").fetchall()}


def plan(inbox: Path, warehouse: Path, reference: str, force: list[str] = (), full: bool = False,
         seeds: Path | None = None) -> list[PlannedLa]:
    """Every LA folder of the inbox, each with whether this refresh runs it and why (`seeds`: the folder
    of the settings seed, la_reference). ValueError if a forced LA has no folder in the inbox."""
    folders = {printable(d.name): d for d in la_folders(inbox)}
    missing = sorted(set(force) - set(folders))
    if missing:
        raise ValueError(f"--la {', '.join(missing)}: no such LA folder in inbox {inbox} "
                         f"(LA folders: {', '.join(sorted(folders)) or 'none'})")
    state = stored_state(warehouse)
    planned = []
    for code, folder in sorted(folders.items()):
        previous = state.get(code)
        if full:
            why = "forced (--full)"
        elif code in force:
            why = "forced (--la)"
        elif previous is None:
            why = "new LA (no refresh state recorded)"
        elif previous[0] != folder_fingerprint(folder):
            why = "extract changed"
        elif previous[1] != la_reference(reference, code, seeds):
            why = ("reference data changed (seeds, dbt project, expectations, specs, thresholds or version, "
                   "or this LA's settings)")
        else:
            planned.append(PlannedLa(code, folder, False, f"unchanged since run {previous[2]} at {previous[3]:%Y-%m-%d %H:%M} "
                                                  f"({previous[4].replace('_', ' ')})"))
            continue
        planned.append(PlannedLa(code, folder, True, why))
    return planned


def las_to_run(inbox: Path, warehouse: Path, reference: str, la_codes: list[str] | None = None,
               planned_with: str | None = None) -> list[str]:
    """The LAs a refresh runs, decided once it holds the warehouse's refresh lock: `la_codes` as the
    caller chose them, else those the plan runs. A caller that planned with other reference data
    (it changed while `refresh --wait` waited for the lock) gets every LA the change affects too:
    the runs are built, and recorded, with the reference data as it is now."""
    if la_codes is not None and planned_with in (None, reference):
        return list(la_codes)
    return sorted({*(la_codes or ()), *(p.la_code for p in plan(inbox, warehouse, reference) if p.run)})


def record_fingerprints(con, folders: list[Path], reference: str) -> None:
    """What the build of this run was made from, per LA (audit.run_fingerprints of the build warehouse;
    the LA's la_reference):
    taken before the files are read, so a file changed during the load makes the next refresh run it again."""
    con.execute("create schema if not exists audit")
    con.execute("create or replace table audit.run_fingerprints "
                "(la_code varchar, folder_fingerprint varchar, reference_fingerprint varchar)")
    con.executemany("insert into audit.run_fingerprints values (?, ?, ?)",
                    [(printable(f.name), folder_fingerprint(f), la_reference(reference, printable(f.name)))
                     for f in folders])
