"""Writing one LA's extract folder: manifest.yml and its entities, in the contract's column order.

Formats (extracts.md): `csv` (one file per entity), `xlsx` (one workbook per entity, first sheet),
`workbook` (every entity a sheet of extract.xlsx) and `ssda903` (the looked-after entities as the
SSDA903 return's CSVs, ssda903.py; the others csv). CSV carries ISO dates and `YYYY-MM-DD
HH:MM:SS` datetimes, empty cell = null; xlsx carries real date cells. `overrides` replace single
cells with raw text (the planted defects), keyed entity -> column -> row index.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import yaml

from pipeline.load.sources import MANIFEST, WORKBOOK
from pipeline.specs import Entity, entities

from . import ssda903

FORMATS = ("csv", "xlsx", "workbook", ssda903.FORMAT)
Overrides = dict[str, dict[str, dict[int, str | None]]]

EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")
EXCEL_MAX_ROWS = 1_048_576
FIXED_CREATED = datetime(2000, 1, 1)     # xlsx document time, so the same data gives the same bytes
CELL_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss"}


def source_label(entity_name: str, fmt: str) -> str:
    """How the loader names the entity's source (EntitySource.label), e.g. in audit.quarantine."""
    return {"csv": f"{entity_name}.csv", ssda903.FORMAT: f"{entity_name}.csv", "xlsx": f"{entity_name}.xlsx",
            "workbook": f"{WORKBOOK}[{entity_name}]"}[fmt]


def write_manifest(folder: Path, la_code: str, la_name: str, extract_date: date,
                   population: dict[int, int], statutory: dict | None = None) -> None:
    """`statutory`: the manifest keys of a statutory format (formats, complete_from)."""
    manifest = {"la_code": la_code, "la_name": la_name, "extract_date": extract_date,
                "case_system": "synthetic", "population_0_17": population, **(statutory or {})}
    (folder / MANIFEST).write_text(yaml.safe_dump(manifest, sort_keys=False))


def clear_entity_files(folder: Path) -> None:
    """Remove entity files a previous run left (e.g. csv after xlsx), so one format stands."""
    for name in entities():
        for ext in ("csv", "xlsx"):
            (folder / f"{name}.{ext}").unlink(missing_ok=True)
    (folder / WORKBOOK).unlink(missing_ok=True)
    ssda903.remove_files(folder)


def write_tables(folder: Path, tables: dict[str, dict[str, np.ndarray]], fmt: str,
                 overrides: Overrides | None = None) -> None:
    """Every entity of the contract, from its {column: array} table."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
    overrides = overrides or {}
    if fmt == ssda903.FORMAT:
        if overrides:
            raise ValueError("defects are planted in native files only: the ssda903 format takes none")
        ssda903.write_return(folder, tables)
        tables = {name: table for name, table in tables.items() if name not in ssda903.CARRIED}
        fmt = "csv"
    # an optional entity the generator does not produce (yet) is not written: not supplied, as by an LA without it
    specs = {name: entity for name, entity in entities().items()
             if name in tables or entity.required and name not in ssda903.CARRIED}
    for name, entity in specs.items():
        missing = set(entity.column_names) - set(tables[name])
        if missing:
            raise ValueError(f"{name}: generator produced no {sorted(missing)}")
    if fmt == "csv":
        for name, entity in specs.items():
            _write_csv(folder / f"{name}.csv", entity, tables[name], overrides.get(name, {}))
    elif fmt == "xlsx":
        for name, entity in specs.items():
            _write_xlsx(folder / f"{name}.xlsx", [(entity, tables[name], overrides.get(name, {}))])
    else:
        _write_xlsx(folder / WORKBOOK, [(e, tables[n], overrides.get(n, {})) for n, e in specs.items()])


def _arrow(values: np.ndarray, kind: str) -> pa.Array:
    values = np.asarray(values)
    if kind == "date":
        return pa.array(values.astype("datetime64[D]"))
    if kind == "datetime":
        return pa.array(values.astype("datetime64[s]"))
    if kind == "integer":
        return pa.array(values, pa.int64())
    if kind == "decimal":      # as HR systems export them: two decimals
        return pa.array(np.char.mod("%.2f", values.astype(float)).astype(object), pa.string())
    return pa.array(values, pa.string(), from_pandas=True)


def _with_overrides(column: pa.Array, cells: dict[int, str | None]) -> pa.Array:
    if not cells:
        return column
    text = np.asarray(column.cast(pa.string()).to_pylist(), dtype=object)
    for row, value in cells.items():
        text[row] = value
    return pa.array(text, pa.string())


def _write_csv(path: Path, entity: Entity, table: dict[str, np.ndarray], overrides: dict[str, dict]) -> None:
    columns = [_with_overrides(_arrow(table[c.name], c.type), overrides.get(c.name, {})) for c in entity.columns]
    data = pa.table(columns, names=entity.column_names)
    header = (",".join(entity.column_names) + "\n").encode()
    try:      # plain values, as case systems write them; quotes only if some value needs them
        body = _csv_body(data, "none")
    except pa.ArrowInvalid:
        body = _csv_body(data, "needed")
    path.write_bytes(header + body)


def _csv_body(data: pa.Table, quoting: str) -> bytes:
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(data, sink, pa_csv.WriteOptions(include_header=False, quoting_style=quoting))
    return sink.getvalue().to_pybytes()


def _cells(values: np.ndarray, kind: str) -> list:
    """Python values XlsxWriter writes fast: Excel serial numbers for dates, str, int, None."""
    values = np.asarray(values)
    if kind in CELL_FORMATS:
        stamp = values.astype("datetime64[s]")
        serial = (stamp - EXCEL_EPOCH).astype(np.int64) / 86_400
        out = serial.astype(object)
        out[np.isnat(stamp)] = None
        return out.tolist()
    if kind == "integer":
        return [None if v is None else int(v) for v in values.tolist()]     # nullable (sdq_score)
    if kind == "decimal":
        return [float(v) for v in values.tolist()]
    return values.astype(object).tolist()


def _write_xlsx(path: Path, sheets: list[tuple[Entity, dict[str, np.ndarray], dict[str, dict]]]) -> None:
    import xlsxwriter

    # constant_memory streams each row to disk as it is written, so memory stays flat
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"created": FIXED_CREATED})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in CELL_FORMATS.items()}
    try:
        for entity, table, overrides in sheets:
            n = len(table[entity.columns[0].name])
            if n + 1 > EXCEL_MAX_ROWS:
                raise ValueError(f"{path.name}: {entity.name} has {n:,} rows, more than a worksheet holds; use csv")
            sheet = book.add_worksheet(entity.name)
            sheet.write_row(0, 0, entity.column_names)
            columns = []
            for j, col in enumerate(entity.columns):
                write = sheet.write_number if col.type in ("date", "datetime", "integer", "decimal") else sheet.write_string
                columns.append((j, _cells(table[col.name], col.type), write, formats.get(col.type),
                                overrides.get(col.name, {})))
            for i in range(n):
                for j, cells, write, fmt, replaced in columns:
                    if i in replaced:
                        value = replaced[i]
                        if value is not None:
                            sheet.write_string(i + 1, j, value)
                        continue
                    value = cells[i]
                    if value is not None:
                        write(i + 1, j, value, fmt)
    finally:
        book.close()
