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


if __name__ == "__main__":
    main()
