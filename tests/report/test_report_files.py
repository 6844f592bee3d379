"""The report files as files: two writers of one report into one folder, and `pipeline withdraw`
taking the withdrawn LA's reports away (issue 28)."""

import shutil

import pytest

from pipeline.cli import main
from pipeline.report import ReportFiles, _write, reports_dir_for


def test_two_writers_of_one_report_into_one_folder_do_not_collide(tmp_path):
    """Writer A is part-way (its HTML written, its workbook being written) when writer B writes the
    same report whole: with a shared temp name B took A's temp file and A's rename failed. Each keeps
    its own, the last rename wins whole, and no temp file stays behind."""
    def writer_b(path):
        _write(tmp_path, "X1", "2026-10", "<p>B</p>", lambda p: p.write_bytes(b"B workbook"))
        path.write_bytes(b"A workbook")

    files = _write(tmp_path, "X1", "2026-10", "<p>A</p>", writer_b)
    assert files == ReportFiles.named(tmp_path, "X1", "2026-10")
    assert files.html.read_text() == "<p>A</p>" and files.xlsx.read_bytes() == b"A workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == [files.html.name, files.xlsx.name]


def test_a_failed_writer_leaves_the_previous_report_and_no_temp_file(tmp_path):
    _write(tmp_path, "X1", "2026-10", "<p>old</p>", lambda p: p.write_bytes(b"old"))

    def broken(path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        _write(tmp_path, "X1", "2026-10", "<p>new</p>", broken)
    files = ReportFiles.named(tmp_path, "X1", "2026-10")
    assert files.html.read_text() == "<p>old</p>" and files.xlsx.read_bytes() == b"old"
    assert len(list(tmp_path.iterdir())) == 2


@pytest.fixture
def published(first_publication_source, tmp_path):
    """A copy of the shared two-LA publication (X1, X2) with its report pack written."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(first_publication_source / "warehouse.duckdb", warehouse)
    assert main(["report", "--warehouse", str(warehouse)]) == 0
    return warehouse


def test_withdraw_removes_the_las_reports_and_the_regional_view_that_shows_it(published, capsys):
    reports = reports_dir_for(published)
    older = reports / "X2-2023-01-scorecard.html"  # a report of an earlier month, written by hand
    older.write_text("<p>X2 before</p>")
    names = sorted(p.name for p in reports.iterdir())
    assert any(n.startswith("X1-") for n in names) and any(n.startswith("regional-") for n in names)
    assert main(["withdraw", "--la", "X2", "--warehouse", str(published)]) == 0
    left = sorted(p.name for p in reports.iterdir())
    # X1's reports stay; X2's are gone, every month; one LA is left, so no regional view (a refresh writes none)
    assert left == [n for n in names if n.startswith("X1-")]
    assert f"{reports}: 5 report files removed, 0 regional views rewritten" in capsys.readouterr().out
