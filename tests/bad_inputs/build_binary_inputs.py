"""Writes the corpus's xlsx inputs (binary, so made by code rather than by hand).

    .venv/bin/python tests/bad_inputs/build_binary_inputs.py

The files are committed beside each case's case.yml; rerun this only to change them.
"""

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
BASE = HERE / "base" / "X1"
CASES = HERE / "cases"


def referrals() -> list[list]:
    with open(BASE / "referrals.csv", newline="") as f:
        return list(csv.reader(f))


def workbook_bytes(rows: list[list], title_rows: list[list] = (), merge: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "referrals"
    for row in [*title_rows, *rows]:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_cached_value(xlsx: bytes, cell: str, value: str) -> bytes:
    """Give a formula cell the cached result Excel stores when it calculates (openpyxl never does)."""
    src, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/>|(<c r="{cell}"[^>]*>)<f>([^<]*)</f>',
                              lambda m: f"{m.group(1) or m.group(3)}<f>{m.group(2) or m.group(4)}</f><v>{value}</v>",
                              data.decode()).encode()
            dst.writestr(item, data)
    return out.getvalue()


def write(case: str, name: str, data: bytes) -> None:
    (CASES / case).mkdir(parents=True, exist_ok=True)
    (CASES / case / name).write_bytes(data)


def main() -> None:
    rows = referrals()
    write("csv_and_xlsx_for_one_entity", "referrals.xlsx", workbook_bytes(rows))

    dated = [list(r) for r in rows]
    dated[1][2] = datetime(2024, 2, 3)  # a real date cell
    dated[2][2] = 45355  # Excel serial of 2024-03-04
    dated[3][2] = "05/01/2024"  # DD/MM/YYYY text
    write("xlsx_dates_and_serials", "referrals.xlsx", workbook_bytes(dated))

    formulas = [list(r) for r in rows]
    formulas[4][2] = "=DATE(2024,2,5)"  # row 5, column C: referral_date of R04
    uncalculated = workbook_bytes(formulas)
    write("xlsx_formulas_never_calculated", "referrals.xlsx", uncalculated)
    write("xlsx_formulas_calculated", "referrals.xlsx", with_cached_value(uncalculated, "C5", "45327"))

    merged = [list(r) for r in rows]
    merged[6][1] = merged[7][1] = None  # B7, B8 under the merge of B6:B8 (child C05)
    write("xlsx_merged_cells", "referrals.xlsx", workbook_bytes(merged, merge="B6:B8"))

    write("xlsx_title_rows_above_header", "referrals.xlsx",
          workbook_bytes(rows, title_rows=[["Referrals extract, March 2024"], []]))

    whole = workbook_bytes(rows)
    write("xlsx_truncated", "referrals.xlsx", whole[: len(whole) // 2])
    write("extract_workbook_corrupt", "extract.xlsx", whole[:2000])
    hostile()


if __name__ == "__main__":
    main()


def workbook_with_sheets(sheets: list[tuple[str, list[list], str]]) -> bytes:
    """A workbook of (title, rows, state) sheets, state 'visible' or 'hidden', in that order."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
    wb.active = next(i for i, s in enumerate(sheets) if s[2] == "visible")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_padded_dimension(xlsx: bytes) -> bytes:
    """Declare the sheet as A1:XFD1048576 (every cell of a sheet), as some exporters do."""
    src, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)
            dst.writestr(item, data)
    return out.getvalue()


def ole_container(stream_name: str) -> bytes:
    """The start of an OLE2 compound file whose directory names one stream: an encrypted OOXML
    file (stream EncryptedPackage) or an old .xls (stream Workbook). Readers tell them apart by it."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + bytes(480)
    name = stream_name.encode("utf-16-le") + b"\x00\x00"
    entry = name + bytes(64 - len(name)) + len(name).to_bytes(2, "little") + b"\x02\x01" + bytes(60)
    return header + entry + bytes(4096)


def gzip_of(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def hostile() -> None:
    """Inputs of the hostile and careless cases (issue 11)."""
    rows = referrals()
    csv_bytes = (BASE / "referrals.csv").read_bytes()
    stale = [list(r) for r in rows[:11]]
    for r in stale[1:]:
        r[2] = "2019-01-01"  # a stale copy: other dates
    write("xlsx_hidden_first_sheet", "referrals.xlsx",
          workbook_with_sheets([("referrals old", stale, "hidden"), ("referrals", rows, "visible")]))
    write("xlsx_hidden_sheet_named_like_entity", "referrals.xlsx",
          workbook_with_sheets([("referrals", stale, "hidden"), ("Sheet1", rows, "visible")]))
    write("extract_workbook_hidden_sheet", "extract.xlsx",
          workbook_with_sheets([("notes", [["about"], ["extract"]], "visible"), ("referrals", rows, "hidden")]))
    write("xlsx_padded_dimension", "referrals.xlsx", with_padded_dimension(workbook_bytes(rows)))
    write("xlsx_encrypted", "referrals.xlsx", ole_container("EncryptedPackage"))
    write("xlsx_old_xls", "referrals.xlsx", ole_container("Workbook"))
    write("xlsx_zipped_csv", "referrals.xlsx", zip_of("referrals.csv", csv_bytes))
    write("xlsx_gzip", "referrals.xlsx", gzip_of(workbook_bytes(rows)))
    write("csv_gzip", "referrals.csv", gzip_of(csv_bytes))
    write("csv_zipped", "referrals.csv", zip_of("referrals.csv", csv_bytes))
    write("csv_that_is_an_xlsx", "referrals.csv", workbook_bytes(rows))
    write("csv_encrypted_workbook", "referrals.csv", ole_container("EncryptedPackage"))
    lines = csv_bytes.split(b"\n")
    write("csv_nul_in_header", "referrals.csv", b"\n".join([lines[0].replace(b"child_id", b"child\x00_id"), *lines[1:]]))
    write("csv_nul_in_id", "referrals.csv", csv_bytes.replace(b"R05,C05,", b"R05,C0\x005,"))
    write("csv_utf16_without_bom", "referrals.csv", csv_bytes.decode().encode("utf-16-le"))
    write("csv_stray_cr_in_field", "referrals.csv", csv_bytes.replace(b"R05,C05,", b"R05,C05\r,"))
    write("csv_trailing_ctrl_z", "referrals.csv", csv_bytes + b"\x1a")
    write("csv_crlf_and_ctrl_z", "referrals.csv", csv_bytes.replace(b"\n", b"\r\n") + b"\x1a")
    head, *body = csv_bytes.decode().splitlines()
    write("csv_comma_header_semicolon_rows", "referrals.csv",
          "\n".join([head, *(r.replace(",", ";") for r in body)]).encode() + b"\n")
    write("manifest_too_large", "manifest.yml", (BASE / "manifest.yml").read_bytes() + b"# padding\n" * 7000)
