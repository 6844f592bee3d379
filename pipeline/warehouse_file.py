"""Whether the published warehouse file can be read, and its folder written, before anything relies on it.

A damaged file must stop a refresh with exit 2 and a message saying what to do (README "Rebuilding a
damaged warehouse"), not plan from it: a truncated file still opens, and its refresh state reads, so a
refresh used to find every LA unchanged and publish nothing, while every dashboard query failed.
DuckDB's file is a 12 KiB header then `total_blocks` blocks (`pragma database_size`): a file shorter
than that lost its end. A file whose header is damaged does not open at all."""

import os
from pathlib import Path

import duckdb

from pipeline.errors import UsageError

HEADER_BYTES = 3 * 4096  # DuckDB's main header and its two database headers, before the first block
REBUILD = ("restore it from a backup, or move it aside and rebuild it from the inbox with `pipeline refresh --full` "
           "(README: Rebuilding a damaged warehouse)")


def require_readable(warehouse: Path) -> None:
    """UsageError unless `warehouse`, if it exists, is a whole DuckDB file (a missing one is a first refresh)."""
    if warehouse.is_dir():
        raise UsageError(f"warehouse {warehouse} is a folder, not a DuckDB file: pass the path of the .duckdb "
                         f"file (e.g. --warehouse {warehouse / 'warehouse.duckdb'})")
    if not warehouse.exists():
        return
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            _, _, block_size, total_blocks, *_ = con.execute("pragma database_size").fetchone()
    except duckdb.Error as exc:
        raise UsageError(f"warehouse {warehouse} cannot be opened ({_first_line(exc)}): {REBUILD}") from exc
    expected, size = HEADER_BYTES + block_size * total_blocks, warehouse.stat().st_size
    if size < expected:
        raise UsageError(f"warehouse {warehouse} is truncated ({size} bytes of {expected}): {REBUILD}")


def require_writable(warehouse: Path) -> None:
    """UsageError unless a refresh can write beside `warehouse` (its build folder, the new file it renames over)."""
    folder = warehouse.parent
    while not folder.exists() and folder != folder.parent:  # the refresh creates the missing folders
        folder = folder.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"folder {folder} is read-only: the refresh writes the warehouse and its build beside "
                         f"{warehouse.name} there; make it writable (or mounted read-write) for the user running "
                         "the refresh, or pass a --warehouse in a writable folder")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
