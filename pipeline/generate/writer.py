"""Writing one LA's extract folder: manifest.yml and an entity file per table, in the contract's
column order and formats (ISO dates, `YYYY-MM-DD HH:MM:SS` datetimes, empty cell = null)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.specs import Entity, entities

# a fixed timestamp for every xlsx part, so the same data gives the same bytes
_FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_FIXED_CORE_TIME = "2000-01-01T00:00:00Z"


def write_manifest(folder: Path, la_code: str, la_name: str, extract_date: date,
                   population: dict[int, int]) -> None:
    manifest = {"la_code": la_code, "la_name": la_name, "extract_date": extract_date,
                "case_system": "synthetic", "population_0_17": population}
    (folder / "manifest.yml").write_text(yaml.safe_dump(manifest, sort_keys=False))


def clear_entity_files(folder: Path) -> None:
    """Remove entity files a previous run left (e.g. csv after xlsx), so one format stands."""
    for name in entities():
        for ext in ("csv", "xlsx"):
            (folder / f"{name}.{ext}").unlink(missing_ok=True)
    (folder / "extract.xlsx").unlink(missing_ok=True)


def write_entity(folder: Path, entity: Entity, table: dict[str, np.ndarray], fmt: str) -> Path:
    missing = set(entity.column_names) - set(table)
    if missing:
        raise ValueError(f"{entity.name}: generator produced no {sorted(missing)}")
    if fmt == "csv":
        path = folder / f"{entity.name}.csv"
        frame = pd.DataFrame({c.name: _as_text(table[c.name], c.type) for c in entity.columns})
        frame.to_csv(path, index=False, lineterminator="\n")
    elif fmt == "xlsx":
        path = folder / f"{entity.name}.xlsx"
        _write_xlsx(path, entity, table)
    else:
        raise ValueError(f"unknown format {fmt!r} (csv or xlsx)")
    return path


def _is_null(values: np.ndarray) -> np.ndarray:
    if np.issubdtype(values.dtype, np.datetime64):
        return np.isnat(values)
    return pd.isna(values)


def _as_text(values: np.ndarray, kind: str) -> np.ndarray:
    values = np.asarray(values)
    null = _is_null(values)
    if kind == "date":
        text = np.datetime_as_string(values.astype("datetime64[D]"), unit="D")
    elif kind == "datetime":
        text = np.char.replace(np.datetime_as_string(values.astype("datetime64[s]"), unit="s"), "T", " ")
    else:
        text = values.astype(str)
    out = text.astype(object)
    out[null] = ""
    return out


def _as_cells(values: np.ndarray, kind: str) -> list:
    """Python values openpyxl writes as real cells: dates, datetimes, ints, strings, None."""
    values = np.asarray(values)
    if kind == "date":
        return values.astype("datetime64[D]").astype(object).tolist()
    if kind == "datetime":
        return values.astype("datetime64[s]").astype(object).tolist()
    if kind == "integer":
        return [int(v) for v in values.tolist()]
    out = values.astype(object)
    out[_is_null(values)] = None
    return out.tolist()


def _write_xlsx(path: Path, entity: Entity, table: dict[str, np.ndarray]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(entity.name)
    ws.append(entity.column_names)
    for row in zip(*(_as_cells(table[c.name], c.type) for c in entity.columns)):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    _rewrite_deterministically(buffer.getvalue(), path)


def _rewrite_deterministically(xlsx: bytes, path: Path) -> None:
    """openpyxl stamps the save time into the zip entries and docProps/core.xml: pin both."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + _FIXED_CORE_TIME.encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
