"""Synthetic case-system extracts: fictional LAs whose children move through realistic journeys
(contact -> referral -> assessment -> S47 -> CP plan / CIN plan / care), written in the native
extract format so the whole pipeline can run without real data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from pipeline.specs import entities

from .profiles import synthetic_las
from .simulate import simulate_la, window_start
from .writer import clear_entity_files, write_entity, write_manifest

DEFAULT_EXTRACT_DATE = date(2026, 10, 31)   # fixed, so output never depends on when it is run


def generate_inbox(out_dir: Path, n_las: int = 3, months: int = 36, seed: int = 42,
                   extract_date: date | None = None, fmt: str = "csv") -> list[str]:
    """Write inbox/<la_code>/manifest.yml + entity files for n_las fictional LAs; return la codes.

    `out_dir` is the inbox folder itself. The same arguments always give byte-identical files.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")
    if n_las < 1 or months < 1:
        raise ValueError("n_las and months must be at least 1")
    extract_date = extract_date or DEFAULT_EXTRACT_DATE
    out_dir = Path(out_dir)
    first_year = window_start(extract_date, months).astype(object).year
    codes = []
    for i, la in enumerate(synthetic_las(n_las, seed)):
        rng = np.random.Generator(np.random.PCG64(seed).jumped(i + 1))   # one independent stream per LA
        tables = simulate_la(la, months, extract_date, rng)
        folder = out_dir / la.code
        folder.mkdir(parents=True, exist_ok=True)
        clear_entity_files(folder)
        population = {y: la.population_in(y, extract_date.year) for y in range(first_year, extract_date.year + 1)}
        write_manifest(folder, la.code, la.name, extract_date, population)
        for name, entity in entities().items():
            write_entity(folder, entity, tables[name], fmt)
        codes.append(la.code)
    return codes


__all__ = ["generate_inbox", "DEFAULT_EXTRACT_DATE"]
