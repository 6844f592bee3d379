"""Read one entity source into a DuckDB temp table of text columns, one row per supplied row.

Every value stays text here (IDs keep leading zeros); typing and rules are applied in SQL by
pipeline.load.land so that CSV loads in bulk. `_row` is the row number a person would see in
the file (the header is row 1; in xlsx, the Excel row).
"""

from datetime import date, datetime, time, timedelta

import pyarrow as pa

from pipeline.load.inbox import EntitySource
from pipeline.specs import Entity

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)


class UnreadableSource(Exception):
    """The file cannot be read at all: a dataset-level problem, reported with the file name."""


def read_into(con, source: EntitySource, entity: Entity, table: str = "_in") -> list[str]:
    """Create temp table `table` (`_row` + one VARCHAR column per header); return the headers."""
    if source.rows is not None:
        headers, arrow = [c for c in source.rows.column_names if not c.startswith("_")], source.rows
    elif source.path.stat().st_size == 0:
        raise UnreadableSource(f"{source.label}: file is empty (rule empty_file)")
    elif source.is_xlsx:
        headers, arrow = _read_xlsx(source, entity)
    if source.rows is not None or source.is_xlsx:
        con.register("_arrow_rows", arrow)
        con.execute(f"create or replace temp table {table} as select * from _arrow_rows")
        con.unregister("_arrow_rows")
        return headers
    try:
        con.execute(
            f"""create or replace temp table {table}_text as
            select * from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"',
                                   escape = '"', null_padding = true, normalize_names = false)""",
            {"path": str(source.path)},
        )
    except Exception as exc:  # duckdb raises several error classes for malformed CSV
        raise UnreadableSource(f"{source.label}: cannot be read as CSV ({_first_line(exc)}) (rule unreadable_file)")
    headers = [r[0] for r in con.execute(f"describe {table}_text").fetchall()]
    # a temp table keeps insertion order, so rowid is the record's position in the file
    con.execute(f"create or replace temp table {table} as select (rowid + 2)::bigint as _row, * from {table}_text")
    con.execute(f"drop table {table}_text")
    return headers


def sheet_names(path) -> list[str]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableSource(f"{path.name}: not a readable xlsx workbook ({_first_line(exc)}) (rule unreadable_file)")
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _read_xlsx(source: EntitySource, entity: Entity) -> tuple[list[str], pa.Table]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source.path, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableSource(f"{source.label}: not a readable xlsx workbook ({_first_line(exc)}) (rule unreadable_file)")
    try:
        ws = wb[source.sheet] if source.sheet else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        headers: list[str] | None = None
        header_row = 0
        data: list[tuple] = []
        numbers: list[int] = []
        for n, values in enumerate(rows, start=1):
            if headers is None:
                if any(v is not None and str(v).strip() for v in values):
                    headers, header_row = [str(v).strip() if v is not None else "" for v in values], n
                continue
            if any(v is not None and str(v).strip() for v in values):
                data.append(values)
                numbers.append(n)
    finally:
        wb.close()
    if headers is None:
        raise UnreadableSource(f"{source.label}: sheet has no header row (rule empty_file)")
    wanted = {c.name: c for c in entity.columns}
    columns = {"_row": pa.array(numbers, pa.int64())}
    for i, h in enumerate(headers):
        col = wanted.get(h.lower())
        is_date = col is not None and col.is_date
        name = h or f"column_{i + 1}"
        columns[name] = pa.array([_cell_text(r[i] if i < len(r) else None, is_date) for r in data], pa.string())
    return headers, pa.table(columns)


def _cell_text(value, is_date: bool) -> str | None:
    """A cell as the text a CSV would carry; numbers in date columns are Excel serial dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if is_date and 0 < value < 2958466:  # up to 9999-12-31
            return _cell_text(EXCEL_EPOCH + timedelta(days=float(value)), True)
        return str(int(value)) if float(value).is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
