"""What a file really is, told from its bytes whatever its name, and how its text is written.

- file_kind: CSV text, an xlsx workbook, an old .xls, an encrypted (password-protected) workbook,
  a zip or gzip archive, from the first bytes.
- decode_text: UTF-8 with or without BOM is read silently; UTF-16 (Excel "Unicode text") and
  Windows-1252 (Excel's "CSV (comma delimited)" on Windows) are decoded and noted as warnings;
  anything else is unreadable.
- sniff_delimiter: a comma, unless the header is separated by ';', tab or '|' (a European-locale export).
"""

import io
from pathlib import Path

from pipeline.load.readers.common import UnreadableSource
from pipeline.load.sources import read_regular

OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "'|' characters"}
_ZIP, _OLE2, _GZIP = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x1f\x8b"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted OOXML file's OLE container holds


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


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


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


def decode_text(data: bytes, label: str) -> tuple[str, list[tuple[str, str]]]:
    """The file's text, and a note (rule, message) when it was not UTF-8."""
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


def sniff_delimiter(text: str) -> str:
    """Comma, unless the header row has no comma but another separator (a European-locale Excel export)."""
    for line in io.StringIO(text):
        if line.strip():
            if "," not in line:
                for d in OTHER_DELIMITERS:
                    if d in line:
                        return d
            return ","
    return ","
