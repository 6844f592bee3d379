"""CSV: a supplier's comma-separated text, read row by row as a person would see it.

Parsed with Python's csv module (exact row numbers, quoted newlines, huge cells), except a simple
file (no quotes, every row as wide as the header: parse_simple), which pyarrow splits the same way
several times faster. The text is decoded as sniff.decode_text says. A file separated by ';', tab
or '|' is split on it, so that the quarantine keeps each value, but every row is quarantined (rule
wrong_delimiter): the contract says commas. A row with more values than the header has columns is
quarantined (wrong_field_count); fewer values means trailing empty cells. A quote that is never
closed makes the file unreadable.
"""

import csv
import io
import json
import sys

import numpy as np
import pyarrow as pa

from pipeline.load.readers.common import SourceRead, UnreadableSource, check_width, column_names, to_arrow
from pipeline.load.readers.sniff import OTHER_DELIMITERS, decode_text, file_kind, sniff_delimiter
from pipeline.load.sources import EntitySource, read_regular

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a huge cell is quarantined by land, not a parse error


def read_csv(source: EntitySource) -> tuple[SourceRead, pa.Table]:
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
    text, notes = decode_text(data, label)
    delimiter = sniff_delimiter(text)
    header_end = text.find("\n")
    check_width(label, text.count(delimiter, 0, header_end if header_end >= 0 else len(text)) + 1)
    if not notes and delimiter == "," and (simple := parse_simple(data)) is not None:
        headers, table = simple
        read = SourceRead(column_names(headers), headers, notes)
        return read, table.rename_columns(["_row", "_cell_issues", *read.columns])
    text = text.rstrip("\r\n\x1a")  # Ctrl-Z: the DOS end-of-file mark some old exports append, not a row
    headers, rows, numbers, issues = _parse_plain(text, delimiter) or _parse_careful(text, delimiter, label)
    if headers is None:
        raise UnreadableSource(label, "file has no header row", "empty_file")
    read = SourceRead(column_names(headers), headers, notes)
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
        read.columns = column_names(read.headers)
        read.file_rule = read.file_rule or ("nul_byte", f"the header holds a NUL byte (column {bad}): the file is "
                                                        "damaged or not CSV text")
    return read, to_arrow(read.columns, rows, numbers, issues)


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


def _issues(column: str | None, value: str | None, rule: str, message: str) -> str:
    return json.dumps([{"column": column, "value": value, "rule": rule, "message": message}])


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
