"""Files written whole or not at all: written to a temp file of a unique name beside the final one,
then renamed over it (os.replace, atomic on POSIX). A reader opens the old file or the new one, never
half of one, and two writers of the same file (two `pipeline report` into one folder, a refresh's
report step meanwhile) never share a temp file: the last rename wins, whole.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temp path beside `path` to write; renamed over `path` when the block ends, removed if it fails.
    The temp name keeps the suffix (a writer may choose its format by it) and starts with a dot, so a
    listing of the folder does not show it. Created by the writer, so it gets the usual permissions."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
