"""xlsx workbooks: the sheet an LA's tools saved, read as Excel shows it.

Formulas are read as Excel last calculated them (noted); one never calculated (formula_without_value)
and rows under merged cells (merged_cells) are quarantined. Rows above the header row (titles) are
skipped and noted. Only visible sheets are read: the one named after the entity, else the first (a
hidden sheet is noted, never read). Rows are read as far as their real cells go, whatever the
sheet's declared <dimension> says (a padded one would cost gigabytes), and a row with values past
MAX_COLUMNS refuses the sheet (too_many_columns) before the rows under it are read. A file that is not really an
xlsx workbook (sniff.file_kind) is unreadable, saying what it is.
"""

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pyarrow as pa

from pipeline.load.readers.common import (MAX_COLUMNS, SourceRead, UnreadableSource, check_width, column_names,
                                          to_arrow)
from pipeline.load.readers.sniff import file_kind
from pipeline.load.sources import EntitySource
from pipeline.specs import Entity

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
HEADER_SEARCH_ROWS = 20  # an xlsx header may sit under a title; look this far down for it
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def sheet_names(path: Path, hidden: bool = False) -> list[str]:
    """Visible sheets of a workbook (or, with hidden=True, the hidden ones); [] when it cannot be
    opened (land reports the unreadable workbook)."""
    try:
        wb = _open_workbook(path, path.name, data_only=True)
    except UnreadableSource:
        return []
    try:
        return [ws.title for ws in wb.worksheets if (ws.sheet_state != "visible") == hidden]
    finally:
        wb.close()


def workbook_problem(path: Path) -> UnreadableSource | None:
    """Why a workbook cannot be opened, or None when it can."""
    try:
        _open_workbook(path, path.name, data_only=True).close()
    except UnreadableSource as exc:
        return exc
    return None


def _open_workbook(path: Path, label: str, data_only: bool):
    from openpyxl import load_workbook

    kind, what = file_kind(path)
    if kind == "empty":
        raise UnreadableSource(label, "file is empty", "empty_file")
    if kind in ("xls", "encrypted"):
        raise UnreadableSource(label, what, "encrypted_workbook" if kind == "encrypted" else "not_xlsx")
    if kind in ("gzip", "zip"):
        raise UnreadableSource(label, what, "compressed_file")
    if kind == "text":
        raise UnreadableSource(label, "is a text file (CSV?), not an xlsx workbook: name it .csv, "
                                      "or save it from Excel as .xlsx", "not_xlsx")
    if kind != "xlsx":
        raise UnreadableSource(label, "is not an xlsx workbook (not a zip archive)", "unreadable_file")
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise UnreadableSource(label, f"is a damaged or truncated xlsx workbook ({_first_line(exc)})", "unreadable_file")


def read_xlsx(source: EntitySource, entity: Entity) -> tuple[SourceRead, pa.Table]:
    label = source.label
    wb = _open_workbook(source.path, label, data_only=False)
    notes: list[tuple[str, str]] = []
    try:
        ws = _sheet(wb, source, entity, notes)
        # read-only iter_rows yields every row from 1 (empty ones too), so position = Excel row;
        # each row only as far as its last real cell: the declared <dimension> may be padded
        ws.reset_dimensions()
        cells = _rows_within_width(ws, label)
        merged = _merged_ranges(ws)
    except UnreadableSource:
        raise
    except Exception as exc:
        raise UnreadableSource(label, f"is a damaged or truncated xlsx workbook ({_first_line(exc)})", "unreadable_file")
    finally:
        wb.close()
    # iter_rows numbers rows from 1 without gaps; cells' own .row is None for empty cells
    grid = [[c.value for c in row] for row in cells]  # rows are as long as their last real cell
    formulas = {(r, i) for r, row in enumerate(cells, start=1) for i, c in enumerate(row)
                if getattr(c, "data_type", None) == "f"}
    if formulas:
        calculated = _calculated_values(source, label, ws.title)
        for r, i in formulas:
            grid[r - 1][i] = calculated.get((r, i))
        notes.append(("formula_values", f"{label}: {len(formulas)} cells hold formulas; their values as Excel last "
                                        "calculated them were read"))
    header_row = _header_row(grid, entity)
    if header_row is None:
        raise UnreadableSource(label, "sheet has no header row", "empty_file")
    headers = [str(v).strip() if v is not None else "" for v in grid[header_row - 1]]
    while headers and not headers[-1]:  # a sheet's used range often runs past the last header
        headers.pop()
    above = [r for r in range(1, header_row) if _filled(grid[r - 1])]
    if above:
        notes.append(("rows_above_header", f"{label}: rows {above[0]}-{above[-1]} above the header (row {header_row}) "
                                           "are not data and were not read"))
    is_date = [bool(h) and h.lower() in entity.column_names and entity.column(h.lower()).is_date for h in headers]
    rows, numbers, issues = [], [], []
    for r in range(header_row + 1, len(grid) + 1):
        values = grid[r - 1]
        if not _filled(values):
            continue
        texts = [cell_text(values[i] if i < len(values) else None, is_date[i]) for i in range(len(headers))]
        problems = []
        overflow = [(i, v) for i, v in enumerate(values[len(headers):], start=len(headers)) if _filled([v])]
        if overflow:  # a value in a column with no header would otherwise be dropped unseen
            problems.append({"column": None, "value": cell_text(overflow[0][1], False), "rule": "wrong_field_count",
                             "message": f"cell {_cell_ref(r, overflow[0][0])} has a value but its column has no header"})
        for i in range(len(headers)):
            if (r, i) in formulas and (values[i] if i < len(values) else None) is None:
                problems.append({"column": headers[i] or None, "value": None, "rule": "formula_without_value",
                                 "message": f"cell {_cell_ref(r, i)} holds a formula Excel never calculated: open the "
                                            "file in Excel and save it"})
        for ref, (r1, c1, r2, c2) in merged.items():
            if r1 <= r <= r2 and r2 > header_row and (r1 != r2 or c1 != c2):
                column = headers[c1] if c1 < len(headers) else None
                problems.append({"column": column or None, "value": cell_text(grid[r1 - 1][c1], False)
                                 if c1 < len(grid[r1 - 1]) else None, "rule": "merged_cells",
                                 "message": f"{column or 'a column'}: cells {ref} are merged: unmerge them and give "
                                            "every row its own value"})
        rows.append(texts)
        numbers.append(r)
        issues.append(json.dumps(problems) if problems else None)
    read = SourceRead(column_names(headers), headers, notes)
    return read, to_arrow(read.columns, rows, numbers, issues)


def _rows_within_width(ws, label: str) -> list[list]:
    """The sheet's rows, read one at a time (openpyxl read-only streams the XML), refused (rule
    too_many_columns) at the first row with a value beyond MAX_COLUMNS, before the rows under it are read:
    a header of 20,000 columns ran a load out of memory, every column getting its own rules."""
    rows = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        if len(row) > MAX_COLUMNS and (width := _last_value(row)) > MAX_COLUMNS:
            check_width(label, width, f"sheet '{ws.title}' row {r}")
        rows.append(list(row))
    return rows


def _last_value(row) -> int:
    """How far a row's values go (1-based): styled empty cells past the last value do not count."""
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if row[i].value is not None), 0)


def _sheet(wb, source: EntitySource, entity: Entity, notes: list[tuple[str, str]]):
    """The sheet to read: the one named (extract.xlsx), else the visible sheet named after the
    entity, else the first visible one. Hidden sheets are never read, and noted."""
    if source.sheet:
        return wb[source.sheet]
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise UnreadableSource(source.label, "has no visible sheet: unhide the sheet to be read", "no_visible_sheet")
    ws = next((ws for ws in visible if ws.title.strip().lower() == entity.name), visible[0])
    for other in wb.worksheets:
        if other.sheet_state != "visible":
            notes.append(("hidden_sheet", f"{source.label}: sheet '{other.title}' is hidden and was not read "
                                          f"(sheet '{ws.title}' was): delete it if it is a stale copy"))
    return ws


def _calculated_values(source: EntitySource, label: str, title: str) -> dict[tuple[int, int], object]:
    """Formula cells' cached results (None where Excel never calculated the workbook)."""
    wb = _open_workbook(source.path, label, data_only=True)
    try:
        ws = wb[title]
        ws.reset_dimensions()
        return {(r, i): v for r, row in enumerate(ws.iter_rows(values_only=True), start=1) for i, v in enumerate(row)}
    finally:
        wb.close()


def _merged_ranges(ws) -> dict[str, tuple[int, int, int, int]]:
    """Merged ranges as {ref: (first row, first col index, last row, last col index)}.

    openpyxl's read-only worksheets do not parse mergeCells, so scan the sheet's XML for them."""
    try:
        xml = ws.parent._archive.read(ws._worksheet_path)
    except (AttributeError, KeyError):
        return {}
    out = {}
    for m in _MERGE_REF.finditer(xml):
        c1, r1, c2, r2 = m.group(1).decode(), int(m.group(2)), (m.group(3) or m.group(1)).decode(), int(m.group(4) or m.group(2))
        out[f"{c1}{r1}:{c2}{r2}"] = (r1, _col_index(c1), r2, _col_index(c2))
    return out


def _header_row(grid: list[list], entity: Entity) -> int | None:
    """The first row naming a contract column (a title may sit above it), else the first non-empty row."""
    names = set(entity.column_names)
    filled = [r for r in range(1, len(grid) + 1) if _filled(grid[r - 1])]
    for r in filled[:HEADER_SEARCH_ROWS]:
        if any(isinstance(v, str) and v.strip().lower() in names for v in grid[r - 1]):
            return r
    return filled[0] if filled else None


def _filled(values) -> bool:
    return any(v is not None and str(v).strip() for v in values)


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell_ref(row: int, index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def cell_text(value, is_date: bool) -> str | None:
    """A cell as the text a CSV would carry; numbers in date columns are Excel serial dates."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if is_date and 0 < value < 2958466:  # up to 9999-12-31
            return cell_text(EXCEL_EPOCH + timedelta(days=float(value)), True)
        return str(int(value)) if float(value).is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
