"""CSV: a supplier's comma-separated text, read row by row as a person would see it.

Parsed with Python's csv module (exact row numbers, quoted newlines, huge cells), except a simple
file (no quotes, every row as wide as the header: parse_simple), which pyarrow splits the same way
several times faster. The text is decoded as sniff.text_encoding says. A file separated by ';', tab
or '|' is split on it, so that the quarantine keeps each value, but every row is quarantined (rule
wrong_delimiter): the contract says commas. A row with more values than the header has columns is
quarantined (wrong_field_count); fewer values means trailing empty cells. A quote that is never
closed makes the file unreadable.

A file is never held whole: it is read in pieces of about PIECE_BYTES, each handed on as a table
of its rows (land.py lands them in groups), so a 1.5 GB file costs no more memory than a few
pieces. Pieces are split by pyarrow while they are simple; from the first piece that is not, the
rest of the file goes through the csv module, record by record, so a quoted value may span pieces
and row numbers run on exactly. Whether rows are split by another delimiter is judged on the first
piece (a whole small file).
"""

import csv
import io
import json
import sys
from itertools import chain
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa

from pipeline.load.readers.common import SourceRead, UnreadableSource, check_width, column_names, to_arrow
from pipeline.load.readers.sniff import OTHER_DELIMITERS, blocks, file_kind, sniff_delimiter, text_encoding
from pipeline.load.sources import EntitySource, open_regular, read_regular

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a huge cell is quarantined by land, not a parse error

PIECE_BYTES = 32 << 20  # text read before its rows are handed on: memory is a few times this, whatever the file
_HEAD = 1 << 20  # the start of the file, where the delimiter and the line end are told


def read_csv(source: EntitySource) -> tuple[SourceRead, Iterator[pa.Table]]:
    """The file's header and notes, and its rows, a table per piece (at least one)."""
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
    codec, notes = text_encoding(source.path, label)
    head = read_regular(source.path, _HEAD)[:_HEAD].decode(codec, errors="ignore")
    delimiter = sniff_delimiter(head)
    header_end = head.find("\n")
    check_width(label, head.count(delimiter, 0, header_end if header_end >= 0 else len(head)) + 1)
    # rows end at LF (or CRLF); only a file with no LF in its first MB (a whole small file) ends rows
    # at CR (classic Mac). So a stray CR inside a value never starts a row of its own.
    end = "\n" if "\n" in head or "\r" not in head else "\r"
    pieces = _pieces(source.path, codec, delimiter, end, label, simple=not notes and delimiter == ",")
    headers, first, other = next(pieces)
    read = SourceRead(column_names(headers), headers, notes)
    if delimiter != ",":
        read.file_rule = ("wrong_delimiter", f"values are separated by {OTHER_DELIMITERS[delimiter]}, not commas: "
                                             "save the file as comma-separated CSV")
    elif other is not None:
        read.file_rule = ("wrong_delimiter", f"the header is separated by commas but the rows by "
                                             f"{OTHER_DELIMITERS[other]}: a delimiter mismatch; save the whole file "
                                             "as comma-separated CSV")
    if any("\x00" in h for h in headers):
        bad = next(i for i, h in enumerate(headers, start=1) if "\x00" in h)
        read.headers = [h.replace("\x00", "") for h in headers]
        read.columns = column_names(read.headers)
        read.file_rule = read.file_rule or ("nul_byte", f"the header holds a NUL byte (column {bad}): the file is "
                                                        "damaged or not CSV text")
    names = ["_row", "_cell_issues", *read.columns]
    return read, (table.rename_columns(names) for _, table, _ in chain([(headers, first, other)], pieces))


def _pieces(path: Path, codec: str, delimiter: str, end: str, label: str, simple: bool):
    """(headers, table of `_row`, `_cell_issues` and a column per header, the other delimiter the rows
    are split by) for each piece of the file in order, at least one."""
    headers, n, offset = None, 0, 0  # the header once read, the records and the bytes read so far
    if simple:
        for data in _byte_pieces(path):
            if (piece := _simple_piece(data, headers, n)) is None:
                break
            n += piece[1].num_rows + (headers is None)
            headers, offset = piece[0], offset + len(data)
            yield *piece, None
        else:
            if headers is not None:
                return
    lines = _Lines(_text_lines(path, codec if offset == 0 else "utf-8", offset, end))
    yield from _parse_careful(lines, delimiter, label, headers, n)


def _byte_pieces(path: Path):
    """The file's bytes in pieces of about PIECE_BYTES, each ending at a line end, the last without the
    line ends and DOS end-of-file mark (Ctrl-Z) that close the file."""
    carry = b""
    for block in blocks(path, PIECE_BYTES):
        data = carry + block
        cut = data.rstrip(b"\r\n\x1a").rfind(b"\n") + 1  # what closes the file so far waits for more
        if cut:
            yield data[:cut]
        carry = data[cut:]
    if carry := carry.rstrip(b"\r\n\x1a"):
        yield carry


def _text_lines(path: Path, codec: str, offset: int, end: str):
    """The file's lines from byte `offset`, decoded, each ending at LF (a CR ending is made LF), the
    line ends and Ctrl-Z that close the file dropped."""
    with open_regular(path) as f:
        f.seek(offset)
        text, carry = io.TextIOWrapper(f, encoding=codec, newline=""), ""
        while block := text.read(PIECE_BYTES):
            data = carry + block
            kept = data.rstrip("\r\n\x1a")  # what closes the file so far waits for more
            *lines, last = kept.split(end)
            for line in lines:
                yield line + "\n"
            carry = last + data[len(kept):]
    if carry := carry.rstrip("\r\n\x1a"):
        yield carry


def parse_simple(data: bytes) -> tuple[list[str], pa.Table] | None:
    """(headers, table of `_row`, `_cell_issues` and a text column per header) of a whole UTF-8,
    comma-separated file simple enough for pyarrow's C++ reader to split exactly as the csv module
    would; else None."""
    return _simple_piece(data.rstrip(b"\r\n\x1a"), None, 0)


def _simple_piece(data: bytes, headers: list[str] | None, n: int) -> tuple[list[str], pa.Table] | None:
    """(headers, rows) of a piece of a file, its rows numbered from n + 1, split by pyarrow if the
    piece is simple, else None. Without `headers`, the piece starts the file, with its header.

    Simple: no quote character (so every line is one record and row n is line n), no NUL, no CR
    but in CRLF line ends, a header of two or more columns on the first line, every row as wide as
    the header, and no row blank beyond its first cell (blank rows are skipped and a row split by
    another delimiter is noted: the careful reader says so). Most case-system exports are like this,
    and Python's csv module and list-to-Arrow conversion cost most of a load's time."""
    import pyarrow.compute as pc
    from pyarrow import csv as pa_csv

    body = data[3:] if headers is None and data.startswith(b"\xef\xbb\xbf") else data
    first = body.split(b"\n", 1)[0].rstrip(b"\r")
    if (any(c in body for c in (b'"', b"\x00", b"\x1c", b"\x1d", b"\x1e", b"\x1f"))  # \x1c-\x1f: str.strip()'s
            or body.count(b"\r") != body.count(b"\r\n") or (headers is None and b"," not in first)):
        return None
    width = first.count(b",") + 1 if headers is None else len(headers)
    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(quote_char=False, escape_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:  # a row of another width (or not UTF-8): the csv module says which
        return None
    if headers is None:
        headers, table, n = [table.slice(0, 1).to_pylist()[0][name] for name in names], table.slice(1), n + 1
    blank_rest = None
    for column in table.columns[1:]:
        blank = pc.equal(pc.utf8_trim_whitespace(column), "")
        blank_rest = blank if blank_rest is None else pc.and_(blank_rest, blank)
    if len(table) and pc.any(blank_rest).as_py():
        return None
    rows = table.add_column(0, "_row", pa.array(np.arange(n + 1, n + len(table) + 1, dtype=np.int64)))
    return headers, rows.add_column(1, "_cell_issues", pa.nulls(len(rows), pa.string()))


def _parse_careful(lines: "_Lines", delimiter: str, label: str, headers: list[str] | None = None, n: int = 0):
    """(headers, table, other delimiter) for each piece of the records `lines` holds, record by record,
    saying what is wrong with each bad one; `headers` and `n` (records read) when a piece has been read."""
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    rows, numbers, issues = [], [], []
    resumed = headers is not None
    while True:
        if lines.size >= PIECE_BYTES and rows:
            yield headers, to_arrow(column_names(headers), rows, numbers, issues), _rows_delimiter(rows)
            rows, numbers, issues, lines.size, resumed = [], [], [], 0, True
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
    if headers is None:
        raise UnreadableSource(label, "file has no header row", "empty_file")
    if rows or not resumed:
        yield headers, to_arrow(column_names(headers), rows, numbers, issues), _rows_delimiter(rows)


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
    """Feeds csv.reader line by line and keeps the lines of the current record (for malformed rows)
    and the characters read since `size` was last set to 0."""

    def __init__(self, lines):
        self._lines = lines
        self.current: list[str] = []
        self.size = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.current.append(line)
        self.size += len(line)
        return line


def _issues(column: str | None, value: str | None, rule: str, message: str) -> str:
    return json.dumps([{"column": column, "value": value, "rule": rule, "message": message}])


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
