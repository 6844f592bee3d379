"""A worksheet whose <dimension> claims every cell of a sheet (A1:XFD1048576) is read in memory
bounded by its real cells: openpyxl would otherwise pad every row to 16,384 cells and add empty
rows up to row 1,048,576 (a 500 KB file once needed 3.8 GB). A sheet 20,000 columns wide is refused
at its first row, before the rows under it are read."""

import io
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from pipeline.load.readers.common import MAX_COLUMNS, UnreadableSource

from pipeline.load.sources import EntitySource
from pipeline.load.readers import read_source
from pipeline.specs import entities
from tests.bad_inputs.build_binary_inputs import with_padded_dimension, workbook_bytes

ROWS = 5000


def test_a_padded_dimension_costs_no_more_than_the_real_cells(tmp_path: Path):
    header = ["referral_id", "child_id", "referral_date", "referral_source", "contact_id", "primary_need",
              "referral_nfa", "closure_date", "closure_reason"]
    rows = [header] + [[f"R{i}", f"C{i}", "2024-02-03", "1A", f"K{i}", "N1", "N", None, None] for i in range(ROWS)]
    path = tmp_path / "referrals.xlsx"
    path.write_bytes(with_padded_dimension(workbook_bytes(rows)))
    assert b'<dimension ref="A1:XFD1048576"/>' in __import__("zipfile").ZipFile(path).read("xl/worksheets/sheet1.xml")

    tracemalloc.start()
    read, pieces = read_source(EntitySource(path), entities()["referrals"])
    rows = next(pieces)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert read.headers == header
    assert (rows.num_rows, max(rows["_row"].to_pylist())) == (ROWS, ROWS + 1)
    # 5,000 rows of 9 cells; padded, the rows alone would be 5,000 x 16,384 cells (over 600 MB of references)
    assert peak < 80 * 2**20, f"peak {peak / 2**20:.0f} MB"


def _wide_sheet(path: Path, width: int, rows: int) -> None:
    """A workbook whose sheet has `width` columns (more than openpyxl writes, so the XML is written here:
    cells without references, as a program exporting one may write them) and `rows` rows of numbers. Its
    <dimension> stays the one cell openpyxl wrote: without one, openpyxl scans the whole sheet when it opens it."""
    header = ["referral_id", "child_id", "referral_date"] + [f"extra{n}" for n in range(width - 3)]
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in header)
    data = "<c><v>1</v></c>" * width
    sheet_data = f"<sheetData><row>{cells}</row>" + f"<row>{data}</row>" * (rows - 1) + "</sheetData>"
    src, out = zipfile.ZipFile(io.BytesIO(workbook_bytes([["x"]]))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            xml = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = re.sub(rb"<sheetData>.*</sheetData>|<sheetData\s*/>", sheet_data.encode(), xml, flags=re.S)
            dst.writestr(item, xml)
    path.write_bytes(out.getvalue())


def test_a_sheet_wider_than_the_limit_is_refused_at_its_first_row_in_little_memory(tmp_path: Path):
    """20 rows of 20,000 cells: 400,000 cells, hundreds of MB once read into lists of cells (and a
    load out of memory once every column got its own rules); refused at the header, having read one row."""
    path = tmp_path / "referrals.xlsx"
    _wide_sheet(path, 20_000, 20)
    tracemalloc.start()
    with pytest.raises(UnreadableSource) as refused:
        read_source(EntitySource(path), entities()["referrals"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(refused.value) == (f"referrals.xlsx: sheet 'referrals' row 1 has 20,000 columns, more than the "
                                  f"{MAX_COLUMNS:,} a file may have: export only the contract's columns "
                                  "(rule too_many_columns)")
    assert peak < 40 * 2**20, f"peak {peak / 2**20:.0f} MB"
