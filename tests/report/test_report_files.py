"""The report files as files: two writers of one report into one folder, and `pipeline withdraw`
taking the withdrawn LA's reports away (issue 28)."""

import re
import shutil

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.defs.refresh import run_refresh
from pipeline.report import ReportFiles, _write, reports_dir_for
from pipeline.report import data
from pipeline.report.data import connect


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


def test_the_report_reads_the_warehouse_within_the_configured_memory_limit(first_publication_source, monkeypatch):
    """Unbounded, DuckDB keeps up to 80% of RAM of the warehouse's blocks cached: a pack of many LAs
    grew with the file. The report step is held to PIPELINE_DUCKDB_MEMORY_LIMIT, as the refresh is."""
    monkeypatch.setenv("PIPELINE_DUCKDB_MEMORY_LIMIT", "300MB")
    with connect(first_publication_source / "warehouse.duckdb") as con:
        limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit == "286.1 MiB"  # 300 MB as DuckDB shows it


@pytest.mark.parametrize("most", [1, 2])
def test_the_regional_view_is_written_for_as_many_las_as_it_shows_and_no_more(first_publication_source, tmp_path,
                                                                              monkeypatch, capsys, most):
    """The regional view is one page of every LA side by side, growing with the LAs: a pack of more LAs
    than it shows (REGIONAL_MAX_LAS) is every LA's pages alone, and asking for the view says why. The
    shared publication holds 2 LAs: shown at a limit of 2, not at 1."""
    monkeypatch.setattr(data, "REGIONAL_MAX_LAS", most)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(first_publication_source / "warehouse.duckdb", warehouse)
    assert main(["report", "--warehouse", str(warehouse)]) == 0
    reports = reports_dir_for(warehouse)
    assert list(reports.glob("X1-*.html")) and list(reports.glob("X2-*.html"))
    assert bool(list(reports.glob("regional-*.html"))) == (most == 2)
    if most == 1:
        assert main(["report", "--warehouse", str(warehouse), "--la", "X1", "--regional"]) == 2
        assert "the regional view shows at most 1 LAs side by side and this warehouse holds 2" in capsys.readouterr().err


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
    # X1's reports stay, with the script their pages share; X2's are gone, every month; one LA is left,
    # so no regional view (a refresh writes none)
    assert left == [n for n in names if n.startswith("X1-") or n == "assets"] and "assets" in names
    assert f"{reports}: report files removed: 5; regional views rewritten: 0" in capsys.readouterr().out


@pytest.fixture(scope="module")
def three_las(first_publication_source, tmp_path_factory):
    """The shared publication refreshed once more with a third LA, X3 (a copy of X2's extract): the
    refresh writes the three LAs' reports and a regional view of three columns."""
    root = tmp_path_factory.mktemp("three_las")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    shutil.copytree(first_publication_source / "inbox", inbox)
    shutil.copy(first_publication_source / "warehouse.duckdb", warehouse)
    shutil.copytree(inbox / "X2", inbox / "X3")
    manifest = inbox / "X3" / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("la_code: X2", "la_code: X3"))
    assert run_refresh(inbox, warehouse, dbt_log=str(root / "dbt.log")).success
    return warehouse


def _columns(page) -> list[str]:
    """The LA codes a regional page lists (its LA line; the script bundle may hold any text)."""
    return re.findall(r'<span class="code">([^<]+)</span>', page.read_text())


def _workbook_text(path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    return " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_withdraw_rewrites_the_regional_view_without_the_la(three_las, capsys):
    reports = reports_dir_for(three_las)
    regional = ReportFiles.named(reports, "regional", sorted(reports.glob("regional-*.html"))[-1].name[9:16])
    assert _columns(regional.html) == ["X1", "X2", "X3"]
    assert "X3" in _workbook_text(regional.xlsx)
    assert main(["withdraw", "--la", "X3", "--warehouse", str(three_las)]) == 0
    assert _columns(regional.html) == ["X1", "X2"]
    assert 'data-la="X3"' not in regional.html.read_text()
    assert "X3" not in _workbook_text(regional.xlsx)
    assert not list(reports.glob("X3-*")) and list(reports.glob("X1-*"))
    assert f"{reports}: report files removed: 2; regional views rewritten: 1" in capsys.readouterr().out
