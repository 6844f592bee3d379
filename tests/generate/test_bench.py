"""`pipeline bench`: it measures what it says on the same files (figures only, no timing asserted).
The refresh leg is `pipeline.refresh.run_refresh`, which tests/test_refresh.py covers."""

from __future__ import annotations

from pipeline import bench
from pipeline.cli import main


def test_bench_generates_scans_every_row_and_cleans_up(tmp_path, capsys):
    lines = []
    timings = bench.run("demo", 1, 2, 7, 1, tmp_path / "work", keep=False, with_refresh=False, print_=lines.append)
    inbox = tmp_path / "work" / "inbox"
    files = bench.entity_files(inbox)
    assert len(files) == 12
    rows_in_files = sum(len(p.read_text().splitlines()) - 1 for p in files)
    assert timings["generate"].rows == timings["scan"].rows == rows_in_files > 0
    assert [line.split()[0] for line in lines[1:]] == ["generate", "bare"]
    assert "rows/s" in lines[1] and "rows/s" in lines[2]


def test_bench_command_removes_its_temporary_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)       # re-read TMPDIR
    assert main(["bench", "--scale", "demo", "--las", "1", "--months", "1", "--skip-refresh"]) == 0
    assert "bare scan" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
