"""Shared fixtures."""

from pathlib import Path

import pytest


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path
