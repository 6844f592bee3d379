"""A worksheet whose <dimension> claims every cell of a sheet (A1:XFD1048576) is read in memory
bounded by its real cells: openpyxl would otherwise pad every row to 16,384 cells and add empty
rows up to row 1,048,576 (a 500 KB file once needed 3.8 GB)."""

import tracemalloc
from pathlib import Path

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
