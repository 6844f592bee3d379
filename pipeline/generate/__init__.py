"""Synthetic case-system extracts: fictional LAs whose children move through realistic journeys
(contact -> referral -> assessment -> S47 -> CP plan / CIN plan / care), with the practice around
them (early help, CIN reviews, allocations to the LA's social workers, case supervision, monthly
workforce snapshots), written in the native extract format so the whole pipeline can run without
real data.
With `fmt="ssda903"` the looked-after entities are written as the SSDA903 return's CSV files
instead (ssda903.py), the path an LA sending its 903 takes.

LAs are simulated and written one at a time (optionally in parallel processes), so memory stays
bounded by the largest LA whatever the scale. Beside the LA folders the inbox root gets
`population.csv` (the seeds/population.csv rows of its LAs) and, with defects, `defects.csv`;
the loader reads only LA folders, so both sidecars are ignored by a refresh.
"""

from __future__ import annotations

import csv
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import yaml

from pipeline.load.sources import MANIFEST
from pipeline.progress import progress

from . import ssda903
from .defects import plant_defects
from .scales import SCALES, SyntheticLA, synthetic_las
from .simulate import simulate_la, window_start
from .writer import FORMATS, clear_entity_files, source_label, write_manifest, write_tables

DEFAULT_EXTRACT_DATE = date(2026, 10, 31)   # fixed, so output never depends on when it is run
DEFECTS_FILE = "defects.csv"
DEFECTS_HEADER = ["la_code", "file", "row", "column", "rule", "value"]
POPULATION_FILE = "population.csv"
POPULATION_HEADER = ["la_code", "la_name", "year", "population_0_17"]


@dataclass(frozen=True)
class _Job:
    index: int
    la: SyntheticLA
    out_dir: Path
    months: int
    seed: int
    extract_date: date
    fmt: str
    defects: float


def generate_inbox(out_dir: Path, n_las: int | None = None, months: int = 36, seed: int = 42,
                   extract_date: date | None = None, fmt: str = "csv", scale: str = "demo",
                   defects: float = 0.0, jobs: int = 1) -> list[str]:
    """Write inbox/<la_code>/manifest.yml + entity files for the LAs of `scale` (or its first
    n_las); return their codes. `out_dir` is the inbox folder itself. The same arguments always
    give byte-identical files, whatever `jobs` is; `defects` is the share of rows given one
    data-quality defect each (0 = a clean extract)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} ({', '.join(SCALES)})")
    if months < 1:
        raise ValueError("months must be at least 1")
    if not 0 <= defects <= 0.2:
        raise ValueError("defects is a share of rows between 0 and 0.2")
    if defects and fmt == ssda903.FORMAT:
        raise ValueError("defects are planted in native files only: --format ssda903 takes no --defects")
    extract_date = extract_date or DEFAULT_EXTRACT_DATE
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    las = synthetic_las(scale, n_las, seed)
    _remove_stale(out_dir, {la.code for la in las})
    work = [_Job(i, la, out_dir, months, seed, extract_date, fmt, defects) for i, la in enumerate(las)]

    populations, planted = [], []
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
            results = list(_report(pool.map(_generate_la, work)))
    else:
        results = list(_report(map(_generate_la, work)))
    for _, _, la_population, la_defects in results:
        populations += la_population
        planted += la_defects
    _write_csv(out_dir / POPULATION_FILE, POPULATION_HEADER, populations)
    (out_dir / DEFECTS_FILE).unlink(missing_ok=True)
    if defects > 0:
        _write_csv(out_dir / DEFECTS_FILE, DEFECTS_HEADER, planted)
    return [la.code for la in las]


def population_rows(las: list[SyntheticLA], months: int, extract_date: date) -> list[list]:
    """seeds/population.csv rows (la_code, la_name, year, population_0_17) for the years covered."""
    first_year = window_start(extract_date, months).astype(object).year
    return [[la.code, la.name, year, la.population_in(year, extract_date.year)]
            for la in las for year in range(first_year, extract_date.year + 1)]


def _generate_la(job: _Job) -> tuple[str, int, list[list], list[list]]:
    """Simulate and write one LA; returns (code, rows written, population rows, defect rows)."""
    la = job.la
    rng = np.random.Generator(np.random.PCG64(job.seed).jumped(job.index + 1))   # one stream per LA
    practice_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([job.seed, job.index, 2])))
    care_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([job.seed, job.index, 3])))
    tables = simulate_la(la, job.months, job.extract_date, rng, practice_rng, care_rng)
    # defects draw from a stream of their own, so a clean and a defective extract differ only there
    defect_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([job.seed, job.index, 1])))
    overrides, defects = plant_defects(tables, job.defects, defect_rng, np.datetime64(job.extract_date, "D"))

    folder = job.out_dir / la.code
    folder.mkdir(parents=True, exist_ok=True)
    clear_entity_files(folder)
    population = population_rows([la], job.months, job.extract_date)
    write_manifest(folder, la.code, la.name, job.extract_date, {year: n for _, _, year, n in population},
                   ssda903.manifest_keys(tables) if job.fmt == ssda903.FORMAT else None)
    write_tables(folder, tables, job.fmt, overrides)
    rows = sum(len(next(iter(t.values()))) for t in tables.values())
    defect_rows = [[la.code, source_label(d.entity, job.fmt), d.row + 2, d.column, d.rule, d.value]
                   for d in defects]
    return la.code, rows, population, defect_rows


def _report(results):
    for result in results:
        code, rows, _, defects = result
        progress("generate", f"{code}: {rows:,} rows" + (f", {len(defects):,} defects planted" if defects else ""))
        yield result


def _remove_stale(out_dir: Path, codes: set[str]) -> None:
    """Drop synthetic LA folders an earlier, larger run left, so a refresh sees only this run."""
    for folder in out_dir.iterdir():
        manifest = folder / MANIFEST
        if folder.is_dir() and folder.name not in codes and manifest.is_file():
            try:
                synthetic = (yaml.safe_load(manifest.read_text()) or {}).get("case_system") == "synthetic"
            except yaml.YAMLError:
                synthetic = False
            if synthetic:
                shutil.rmtree(folder)


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


__all__ = ["generate_inbox", "population_rows", "DEFAULT_EXTRACT_DATE", "DEFECTS_FILE", "POPULATION_FILE", "SCALES"]
