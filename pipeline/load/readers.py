"""Read one entity source into an Arrow table of text columns, one row per supplied row.

Every value stays text here (IDs keep leading zeros); typing and rules are applied in SQL by
pipeline.load.land. `_row` is the row a person would see in a spreadsheet (the header is row 1
of a CSV; in xlsx, the Excel row). Blank rows are not data and are skipped (numbering goes on).

What a supplier's tools actually produce is read, and every liberty taken is said (`notes`):
- CSV is parsed with Python's csv module (exact row numbers, quoted newlines, huge cells), except
  a simple file (no quotes, every row as wide as the header: parse_simple), which pyarrow splits
  the same way several times faster;
  UTF-8 with or without BOM is read silently; UTF-16 (Excel "Unicode text") and Windows-1252
  (Excel's "CSV (comma delimited)" on Windows) are decoded and noted as warnings; anything
  else is unreadable. A file separated by ';', tab or '|' is split on it, so that the quarantine
  keeps each value, but every row is quarantined (rule wrong_delimiter): the contract says commas.
- A row with more values than the header has columns is quarantined (wrong_field_count); fewer
  values means trailing empty cells. A quote that is never closed makes the file unreadable.
- xlsx: formulas are read as Excel last calculated them (noted); one never calculated
  (formula_without_value) and rows under merged cells (merged_cells) are quarantined. Rows above
  the header row (titles) are skipped and noted. Only visible sheets are read: the one named after
  the entity, else the first (a hidden sheet is noted, never read). Rows are read as far as their
  real cells go, whatever the sheet's declared <dimension> says (a padded one would cost gigabytes).
- What a file really is, is told from its first bytes, whatever its name (file_kind): CSV text,
  an xlsx workbook, an old .xls, an encrypted (password-protected) workbook, a zip or gzip archive.
Row-level problems found while reading go to the `_cell_issues` column (JSON list of
{column, value, rule, message}); land quarantines them like any other rule.
"""

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipeline.load.sources import EntitySource, read_regular
from pipeline.specs import Entity

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "'|' characters"}
HEADER_SEARCH_ROWS = 20  # an xlsx header may sit under a title; look this far down for it
_ZIP, _OLE2, _GZIP = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x1f\x8b"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted OOXML file's OLE container holds
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a huge cell is quarantined by land, not a parse error


class UnreadableSource(Exception):
    """The file cannot be read at all: a dataset-level problem, reported with the file name."""

    def __init__(self, label: str, message: str, rule: str = "unreadable_file"):
        super().__init__(f"{label}: {message} (rule {rule})")
        self.label, self.message, self.rule = label, message, rule


@dataclass
class SourceRead:
    columns: list[str]  # column names in the Arrow table, in file order (unique)
    headers: list[str]  # the header cells as supplied (same order; may repeat)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule, message): warnings about the file
    file_rule: tuple[str, str] | None = None  # (rule, message): a defect that quarantines every row


def read_source(source: EntitySource, entity: Entity) -> tuple[SourceRead, pa.Table]:
    """The source's rows: `_row`, optional `_location` / `_cell_issues`, one string column per column.
    An Arrow table, not a DuckDB table: land stacks the files of an entity and loads them together."""
    if source.rows is not None:  # a statutory-format adapter already read the rows
        headers = [c for c in source.rows.column_names if not c.startswith("_")]
        return SourceRead(headers, headers), source.rows
    if source.is_xlsx:
        return _read_xlsx(source, entity)
    return _read_csv(source)


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


def file_kind(path: Path) -> tuple[str, str]:
    """(kind, description) of a file from its bytes: text, xlsx, xls, encrypted, zip, gzip, empty, binary."""
    head = _head(path)
    if not head.strip():
        return "empty", "is empty"
    if head.startswith(_GZIP):
        return "gzip", "is a gzip-compressed file: decompress it and supply what it holds"
    if head.startswith(_OLE2):
        if _contains(path, _ENCRYPTED):
            return "encrypted", "is an encrypted (password-protected) workbook: save it from Excel without a password"
        return "xls", "is an old-style .xls workbook, not .xlsx: save it as .xlsx"
    if head.startswith(_ZIP):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "xlsx", "is an xlsx workbook"  # a damaged one: openpyxl says how
        if any(n.lower() == "xl/workbook.xml" for n in names):
            return "xlsx", "is an xlsx workbook"
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return "zip", f"is a zip archive holding {shown or 'nothing'}, not a workbook: unzip it and supply what it holds"
    if _looks_like_text(head):
        return "text", "is a text file"
    return "binary", "is neither text nor a workbook"


def _head(path: Path, n: int = 4096) -> bytes:
    return read_regular(path, n)[:n]


def _contains(path: Path, needle: bytes, limit: int = 64 << 20) -> bool:
    """Whether the first `limit` bytes of the file hold `needle` (read in blocks)."""
    with open(path, "rb") as f:
        tail, read = b"", 0
        while read < limit and (block := f.read(1 << 20)):
            if needle in tail + block:
                return True
            tail, read = block[-len(needle):], read + len(block)
    return False


# --- CSV ----------------------------------------------------------------------------------

def _read_csv(source: EntitySource) -> tuple[SourceRead, pa.Table]:
    label = source.label
    kind, what = file_kind(source.path)
    if kind == "empty":
        raise UnreadableSource(label, "file is empty", "empty_file")
    if kind in ("gzip", "zip"):
        raise UnreadableSource(label, f"{what} (CSV text)", "compressed_file")
    if kind == "xlsx":
        raise UnreadableSource(label, f"{what}, not CSV text: save it as CSV, or name it .xlsx", "not_csv")
    if kind in ("xls", "encrypted"):
        raise UnreadableSource(label, f"{what}, then save it as CSV", "not_csv")
    data = read_regular(source.path)
    text, notes = _decode(data, label)
    delimiter = _delimiter(text)
    if not notes and delimiter == "," and (simple := parse_simple(data)) is not None:
        headers, table = simple
        read = SourceRead(_column_names(headers), headers, notes)
        return read, table.rename_columns(["_row", "_cell_issues", *read.columns])
    text = text.rstrip("\r\n\x1a")  # Ctrl-Z: the DOS end-of-file mark some old exports append, not a row
    headers, rows, numbers, issues = _parse_plain(text, delimiter) or _parse_careful(text, delimiter, label)
    if headers is None:
        raise UnreadableSource(label, "file has no header row", "empty_file")
    read = SourceRead(_column_names(headers), headers, notes)
    if delimiter != ",":
        read.file_rule = ("wrong_delimiter", f"values are separated by {OTHER_DELIMITERS[delimiter]}, not commas: "
                                             "save the file as comma-separated CSV")
    elif (other := _rows_delimiter(rows)) is not None:
        read.file_rule = ("wrong_delimiter", f"the header is separated by commas but the rows by "
                                             f"{OTHER_DELIMITERS[other]}: a delimiter mismatch; save the whole file "
                                             "as comma-separated CSV")
    if any("\x00" in h for h in headers):
        bad = next(i for i, h in enumerate(headers, start=1) if "\x00" in h)
        read.headers = [h.replace("\x00", "") for h in headers]
        read.columns = _column_names(read.headers)
        read.file_rule = read.file_rule or ("nul_byte", f"the header holds a NUL byte (column {bad}): the file is "
                                                        "damaged or not CSV text")
    return read, _arrow(read.columns, rows, numbers, issues)


def parse_simple(data: bytes) -> tuple[list[str], pa.Table] | None:
    """(headers, table of `_row`, `_cell_issues` and a text column per header) of a UTF-8, comma-
    separated file simple enough for pyarrow's C++ reader to split exactly as _parse_plain would;
    else None, and _parse_plain reads it.

    Simple: no quote character (so every line is one record and row n is line n), no NUL, no CR
    but in CRLF line ends, a header of two or more columns on the first line, every row as wide as
    the header, and no row blank beyond its first cell (blank rows are skipped and a row split by
    another delimiter is noted: the careful readers say so). Most case-system exports are like this,
    and Python's csv module and list-to-Arrow conversion cost most of a load's time."""
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    body = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).rstrip(b"\r\n\x1a")
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    if (any(c in body for c in (b'"', b"\x00", b"\x1c", b"\x1d", b"\x1e", b"\x1f"))  # \x1c-\x1f: str.strip()'s
            or body.count(b"\r") != body.count(b"\r\n") or b"," not in first):
        return None
    width = first.count(b",") + 1
    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(quote_char=False, escape_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:  # a row of another width (or not UTF-8): _parse_plain says which
        return None
    headers, rows = table.slice(0, 1).to_pylist()[0], table.slice(1)
    blank_rest = None
    for column in rows.columns[1:]:
        blank = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank_rest = blank if blank_rest is None else pc.and_(blank_rest, blank)
    if len(rows) and pc.any(blank_rest).as_py():
        return None
    rows = rows.add_column(0, "_row", pa.array(np.arange(2, len(rows) + 2, dtype=np.int64)))  # not a Python range: 1M ints
    return [headers[n] for n in names], rows.add_column(1, "_cell_issues", pa.nulls(len(rows), pa.string()))


def _parse_plain(text: str, delimiter: str):
    """(headers, rows, row numbers, issues) in one pass of the C csv reader, for the common file
    where every record parses and none has more values than the header; None otherwise, and
    _parse_careful reads the file record by record. Row numbers count records (a blank one too),
    as _parse_careful does, so both give the same rows the same numbers."""
    if "\n" not in text and "\r" in text:
        return None  # rows end at CR (classic Mac): _Lines knows how
    try:
        records = list(csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    filled = [i for i, r in enumerate(records) if "".join(r).strip()]  # a blank row is not data
    if not filled:
        return None
    headers, width = records[filled[0]], len(records[filled[0]])
    rows = [records[i] for i in filled[1:]]
    if any(len(r) > width for r in rows):
        return None
    rows = [r if len(r) == width else r + [None] * (width - len(r)) for r in rows]
    return headers, rows, [i + 1 for i in filled[1:]], [None] * len(rows)


def _parse_careful(text: str, delimiter: str, label: str):
    """(headers, rows, row numbers, issues) record by record, saying what is wrong with each bad one."""
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    headers: list[str] | None = None
    rows, numbers, issues = [], [], []
    n = 0
    while True:
        lines.current.clear()
        n += 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):  # the quote is still open at the end of the file
                raise UnreadableSource(label, f"row {n}: a quoted value is opened and never closed, so the rest of "
                                              "the file cannot be split into rows", "unterminated_quote")
            why = ("a carriage return (CR) character inside a value" if "new-line character" in str(exc) else str(exc))
            if headers is None:
                raise UnreadableSource(label, f"the header row cannot be parsed ({why})", "malformed_header")
            raw = "".join(lines.current).rstrip("\r\n")
            rows.append([None] * len(headers))
            numbers.append(n)
            issues.append(_issues(None, raw.replace("\r", "\\r"), "malformed_row",
                                  f"row {n} is not valid CSV ({why}): '{_clip(raw.replace(chr(13), '<CR>'))}'"))
            continue
        if not any(v.strip() for v in record):
            continue  # a blank row is not data (and before the header, not the header)
        if headers is None:
            headers = record
            continue
        problem = None
        if len(record) > len(headers):
            overflow = record[len(headers):]
            if any(v.strip() for v in overflow):
                raw = delimiter.join(overflow)
                problem = _issues(None, raw, "wrong_field_count",
                                  f"row {n} has {len(record)} values but the header has {len(headers)} columns "
                                  f"(extra: '{_clip(raw)}')")
            record = record[:len(headers)]
        rows.append(record + [None] * (len(headers) - len(record)))
        numbers.append(n)
        issues.append(problem)
    return headers, rows, numbers, issues


def _rows_delimiter(rows: list[list]) -> str | None:
    """The other delimiter most data rows are split by when only the header has commas."""
    singles = [r[0] for r in rows if r and all(v is None or not v.strip() for v in r[1:]) and r[0]]
    if len(rows) < 1 or len(singles) * 2 <= len(rows):
        return None
    for d in OTHER_DELIMITERS:
        if sum(d in v for v in singles) * 2 > len(singles):
            return d
    return None


class _Lines:
    """Feeds csv.reader line by line and keeps the lines of the current record (for malformed rows)."""

    def __init__(self, text: str):
        # rows end at LF (or CRLF); only a file with no LF at all ends rows at CR (classic Mac).
        # So a stray CR inside a value never starts a row of its own.
        end = "\n" if "\n" in text or "\r" not in text else "\r"
        self._lines = _split_keep(text, end)
        self.current: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.current.append(line)
        return line


def _split_keep(text: str, end: str):
    start = 0
    while start < len(text):
        stop = text.find(end, start)
        stop = len(text) if stop < 0 else stop + 1
        yield text[start:stop] if end == "\n" else text[start:stop].replace("\r", "\n")
        start = stop


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text without a byte order mark:
    most bytes at odd (LE) or even (BE) positions of the first KB are NUL."""
    sample = data[:1024]
    half = len(sample) // 2
    if half < 4:
        return None
    for codec, nuls in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if nuls.count(0) > 0.9 * half:
            return codec
    return None


def _decode(data: bytes, label: str) -> tuple[str, list[tuple[str, str]]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), [("utf16_text", f"{label}: saved as UTF-16 (Excel 'Unicode text'); read as UTF-16")]
        except UnicodeDecodeError as exc:
            raise UnreadableSource(label, f"starts like UTF-16 text but is not ({exc.reason})", "unknown_encoding")
    if (codec := _utf16_without_bom(data)) is not None:
        try:
            return data.decode(codec), [("utf16_text", f"{label}: saved as UTF-16 without a byte order mark; "
                                                       f"read as {codec.upper()}")]
        except UnicodeDecodeError as exc:
            raise UnreadableSource(label, f"looks like UTF-16 text without a byte order mark but is not ({exc.reason})",
                                   "unknown_encoding")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        bad, line = data[exc.start], data.count(b"\n", 0, exc.start) + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableSource(label, f"is neither UTF-8 nor Windows-1252 text (byte 0x{bad:02X} on line {line}): "
                                      "save it as 'CSV UTF-8'", "unknown_encoding")
    return text, [("windows_1252_text",
                   f"{label}: not UTF-8 (byte 0x{bad:02X} on line {line}); read as Windows-1252, the encoding Excel "
                   f"uses for 'CSV (comma delimited)': check accented letters from line {line} on")]


def _delimiter(text: str) -> str:
    """Comma, unless the header row has no comma but another separator (a European-locale Excel export)."""
    for line in io.StringIO(text):
        if line.strip():
            if "," not in line:
                for d in OTHER_DELIMITERS:
                    if d in line:
                        return d
            return ","
    return ","


# --- xlsx ---------------------------------------------------------------------------------

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


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


def _read_xlsx(source: EntitySource, entity: Entity) -> tuple[SourceRead, pa.Table]:
    label = source.label
    wb = _open_workbook(source.path, label, data_only=False)
    notes: list[tuple[str, str]] = []
    try:
        ws = _sheet(wb, source, entity, notes)
        # read-only iter_rows yields every row from 1 (empty ones too), so position = Excel row;
        # each row only as far as its last real cell: the declared <dimension> may be padded
        ws.reset_dimensions()
        cells = [list(row) for row in ws.iter_rows()]
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
    read = SourceRead(_column_names(headers), headers, notes)
    return read, _arrow(read.columns, rows, numbers, issues)


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


# --- shared -------------------------------------------------------------------------------

def _column_names(headers: list[str]) -> list[str]:
    """Unique, non-empty names for the table of rows; a repeated header gets its position appended."""
    names, seen = [], set()
    for i, h in enumerate(headers, start=1):
        name = h.strip() or f"column_{i}"
        if name.lower() in seen:
            name = f"{name} (column {i})"
        seen.add(name.lower())
        names.append(name)
    return names


def _arrow(columns: list[str], rows: list[list], numbers: list[int], issues: list) -> pa.Table:
    data = {"_row": pa.array(numbers, pa.int64()),
            "_cell_issues": pa.array(issues, pa.string())}
    values = list(zip(*rows)) if rows else [()] * len(columns)
    for name, column in zip(columns, values):
        data[name] = pa.array(column, pa.string())
    return pa.table(data)


def _issues(column: str | None, value: str | None, rule: str, message: str) -> str:
    return json.dumps([{"column": column, "value": value, "rule": rule, "message": message}])


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc.__class__.__name__
