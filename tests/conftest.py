"""Shared fixtures."""

from pathlib import Path

import pytest


@pytest.fixture
def inbox(tmp_path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture(autouse=True, scope="session")
def _ephemeral_dagster():
    """Tests record their runs in ephemeral Dagster instances (or a DAGSTER_HOME of their own), never
    in the one `make` exports for the UI."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DAGSTER_HOME", raising=False)
        yield
