"""A copy of pipeline/specs/ the test may edit, read by every caller of pipeline.specs for the
test's duration (the loaded specs are cached: the cache is emptied before and after)."""

import shutil

import pytest

import pipeline.specs as specs
from pipeline.paths import SPECS_DIR

CACHED = ("entities", "gate", "format_spec", "settings_spec", "code_lists")


def _forget() -> None:
    for name in CACHED:
        getattr(specs, name).cache_clear()


@pytest.fixture
def spec_dir(tmp_path, monkeypatch):
    folder = shutil.copytree(SPECS_DIR, tmp_path / "specs", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(specs, "SPECS_DIR", folder)
    _forget()
    yield folder
    monkeypatch.undo()
    _forget()


def edit(path, old: str, new: str) -> None:
    """Replace text the spec file must hold (so an edit that no longer applies fails, not passes); the
    specs are read again when next asked for, as by a new process."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))
    _forget()
