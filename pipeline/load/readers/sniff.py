"""What a file really is, told from its bytes whatever its name, and how its text is written.

- file_kind: CSV text, an xlsx workbook, an old .xls, an encrypted (password-protected) workbook,
  a zip or gzip archive, from the first bytes.
- text_encoding: UTF-8 with or without BOM is read silently; UTF-16 (Excel "Unicode text") and
  Windows-1252 (Excel's "CSV (comma delimited)" on Windows) are decoded and noted as warnings;
  anything else is unreadable.
- sniff_delimiter: a comma, unless the header is separated by ';', tab or '|' (a European-locale export).
"""

import codecs
import io
from pathlib import Path

from pipeline.load.readers.common import UnreadableSource
from pipeline.load.sources import open_regular, read_regular

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


def text_encoding(path: Path, label: str) -> tuple[str, list[tuple[str, str]]]:
    """The codec the file's text is read with, and a note (rule, message) when it is not UTF-8. The
    whole file is checked, block by block (a file may be far larger than memory allows)."""
    head = _head(path, 1024)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        _check(path, "utf-16", label, "starts like UTF-16 text but is not")
        return "utf-16", [("utf16_text", f"{label}: saved as UTF-16 (Excel 'Unicode text'); read as UTF-16")]
    if (codec := _utf16_without_bom(head)) is not None:
        _check(path, codec, label, "looks like UTF-16 text without a byte order mark but is not")
        return codec, [("utf16_text", f"{label}: saved as UTF-16 without a byte order mark; read as {codec.upper()}")]
    if (bad := _first_bad_utf8(path)) is None:
        return "utf-8-sig", []
    byte, line = bad
    _check(path, "cp1252", label, "", f"is neither UTF-8 nor Windows-1252 text (byte 0x{byte:02X} on line {line}): "
                                      "save it as 'CSV UTF-8'")
    return "cp1252", [("windows_1252_text",
                       f"{label}: not UTF-8 (byte 0x{byte:02X} on line {line}); read as Windows-1252, the encoding "
                       f"Excel uses for 'CSV (comma delimited)': check accented letters from line {line} on")]


def blocks(path: Path, size: int = 1 << 24):
    """The file's bytes, a block at a time."""
    with open_regular(path) as f:
        while block := f.read(size):
            yield block


def _check(path: Path, codec: str, label: str, what: str, message: str | None = None) -> None:
    try:
        for _ in codecs.iterdecode(blocks(path), codec):
            pass
    except UnicodeDecodeError as exc:
        raise UnreadableSource(label, message or f"{what} ({exc.reason})", "unknown_encoding")


def _first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """(byte, line) of the first byte that is not UTF-8, or None."""
    lines, carry = 0, b""
    for block in blocks(path):
        data, carry = carry + block, b""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.reason != "unexpected end of data":
                return data[exc.start], lines + data.count(b"\n", 0, exc.start) + 1
            data, carry = data[:exc.start], data[exc.start:]  # a character cut by the block's end
        lines += data.count(b"\n")
    return (carry[0], lines + 1) if carry else None


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
