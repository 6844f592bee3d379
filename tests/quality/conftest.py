"""The gate's refresh tests share one first publication (tests/conftest.py, first_publication_source: a
refresh costs about a minute): two LAs with a small extract taken 2024-03-31. Each module works on
its own copy of it."""

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def first_publication(first_publication_source, tmp_path_factory) -> tuple[Path, Path]:
    """(root, warehouse): root/inbox holds the extract, root/warehouse.duckdb its publication
    (and root/warehouse.audit.duckdb its restricted audit file)."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(first_publication_source / "inbox", root / "inbox")
    shutil.copy(first_publication_source / "warehouse.duckdb", root / "warehouse.duckdb")
    shutil.copy(first_publication_source / "warehouse.audit.duckdb", root / "warehouse.audit.duckdb")
    return root, root / "warehouse.duckdb"
