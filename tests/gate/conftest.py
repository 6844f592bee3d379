"""One first publication shared by the gate's refresh tests (a refresh costs ~20 s): two LAs with a
small extract taken 2024-03-31. Each module works on its own copy of it."""

import shutil
from pathlib import Path

import pytest

from pipeline.refresh import run_refresh
from tests.gate.extracts import write_base


@pytest.fixture(scope="session")
def _first_publication(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("first_publication")
    write_base(root / "inbox")
    assert run_refresh(root / "inbox", root / "warehouse.duckdb").success
    return root


@pytest.fixture(scope="module")
def first_publication(_first_publication, tmp_path_factory) -> tuple[Path, Path]:
    """(root, warehouse): root/inbox holds the extract, root/warehouse.duckdb its publication."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(_first_publication / "inbox", root / "inbox")
    shutil.copy(_first_publication / "warehouse.duckdb", root / "warehouse.duckdb")
    return root, root / "warehouse.duckdb"
