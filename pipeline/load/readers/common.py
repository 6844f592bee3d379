"""What every reader hands back: the file's header and notes (SourceRead) beside an Arrow table of
its rows, or UnreadableSource when the file cannot be read at all."""

from dataclasses import dataclass, field

import pyarrow as pa


class UnreadableSource(Exception):
    """The file cannot be read at all: a dataset-level problem, reported with the file name."""

    def __init__(self, label: str, message: str, rule: str = "unreadable_file"):
        super().__init__(f"{label}: {message} (rule {rule})")
        self.label, self.message, self.rule = label, message, rule


# More columns than any export needs (the widest entity has a few dozen, a case system adds some):
# 20,000 ran a load out of memory, since every column gets its own rules. Refused before any row is read.
MAX_COLUMNS = 1000


def check_width(label: str, count: int, where: str = "the header (row 1)") -> None:
    """UnreadableSource (rule too_many_columns) for a header (or, in xlsx, any row: `where`) wider than
    MAX_COLUMNS."""
    if count > MAX_COLUMNS:
        raise UnreadableSource(label, f"{where} has {count:,} columns, more than the {MAX_COLUMNS:,} "
                                      "a file may have: export only the contract's columns", "too_many_columns")


@dataclass
class SourceRead:
    columns: list[str]  # column names in the Arrow table, in file order (unique)
    headers: list[str]  # the header cells as supplied (same order; may repeat)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (rule, message): warnings about the file
    file_rule: tuple[str, str] | None = None  # (rule, message): a defect that quarantines every row


def column_names(headers: list[str]) -> list[str]:
    """Unique, non-empty names for the table of rows; a repeated header gets its position appended."""
    names, seen = [], set()
    for i, h in enumerate(headers, start=1):
        name = h.strip() or f"column_{i}"
        if name.lower() in seen:
            name = f"{name} (column {i})"
        seen.add(name.lower())
        names.append(name)
    return names


def to_arrow(columns: list[str], rows: list[list], numbers: list[int], issues: list) -> pa.Table:
    """`_row`, `_cell_issues` and a text column per name, from rows of values as lists."""
    data = {"_row": pa.array(numbers, pa.int64()),
            "_cell_issues": pa.array(issues, pa.string())}
    values = list(zip(*rows)) if rows else [()] * len(columns)
    for name, column in zip(columns, values):
        data[name] = pa.array(column, pa.string())
    return pa.table(data)
