"""Read one entity source into an Arrow table of text columns, one row per supplied row.

Every value stays text here (IDs keep leading zeros); typing and rules are applied in SQL by
pipeline.load.land. `_row` is the row a person would see in a spreadsheet (the header is row 1
of a CSV; in xlsx, the Excel row). Blank rows are not data and are skipped (numbering goes on).

What a supplier's tools actually produce is read, and every liberty taken is said (`notes`), one
module per format: what a file really is and how its text is encoded (sniff), CSV (delimited),
xlsx workbooks (xlsx), and what both hand back (common).
Row-level problems found while reading go to the `_cell_issues` column (JSON list of
{column, value, rule, message}); land quarantines them like any other rule.
"""

from typing import Iterator

import pyarrow as pa

from pipeline.load.readers.common import SourceRead, UnreadableSource
from pipeline.load.readers.delimited import read_csv
from pipeline.load.readers.xlsx import cell_text, read_xlsx, sheet_names, workbook_problem
from pipeline.load.sources import EntitySource
from pipeline.specs import Entity

# what the rest of the package uses
__all__ = ["SourceRead", "UnreadableSource", "cell_text", "read_source", "sheet_names", "workbook_problem"]


def read_source(source: EntitySource, entity: Entity) -> tuple[SourceRead, Iterator[pa.Table]]:
    """The source's rows: `_row`, optional `_location` / `_cell_issues`, one string column per column,
    as Arrow tables, not DuckDB tables: land stacks the files of an entity and loads them together.
    A table per piece of the file (a CSV is read in pieces, never whole: delimited.py), at least one."""
    if source.rows is not None:  # a statutory-format adapter already read the rows
        headers = [c for c in source.rows.column_names if not c.startswith("_")]
        return SourceRead(headers, headers), iter([source.rows])
    if source.is_xlsx:
        read, rows = read_xlsx(source, entity)
        return read, iter([rows])
    return read_csv(source)
