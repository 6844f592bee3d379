"""Hand-made inboxes written from small tables in the tests themselves."""

import csv
from pathlib import Path

import yaml

from pipeline.specs import entities


def write_la(inbox: Path, la_code: str, tables: dict[str, list[dict]], extract_date: str = "2024-03-31",
             population: dict[int, int] | None = None, la_name: str = "Test LA") -> Path:
    """Write inbox/<la_code>/ with a manifest and one CSV per table (header = spec columns + any extra keys).

    Required entities not given are written header-only, so each test names only what it is about.
    """
    folder = inbox / la_code
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"la_code": la_code, "la_name": la_name, "extract_date": extract_date, "case_system": "test"}
    if population:
        manifest["population_0_17"] = population
    (folder / "manifest.yml").write_text(yaml.safe_dump(manifest))
    for name, entity in entities().items():
        if name not in tables and not entity.required:
            continue
        rows = tables.get(name, [])
        header = entity.column_names + [k for r in rows for k in r if k not in entity.column_names]
        header = list(dict.fromkeys(header))
        with open(folder / f"{name}.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=header)
            w.writeheader()
            for r in rows:
                w.writerow(r)
    return folder
