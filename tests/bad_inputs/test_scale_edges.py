"""Scale edges (issue 28): inputs whose size, not content, is the problem must end in a clear,
bounded message, never in a flood of console output or a load that runs out of memory."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.load.readers.common import MAX_COLUMNS
from pipeline.paths import PROJECT_DIR

BASE = Path(__file__).resolve().parent / "base" / "X1"
BIG = 2_000_000  # characters of one cell: a few MB is enough to see whether it is printed whole


def _la(inbox: Path, code: str) -> Path:
    folder = inbox / code
    shutil.copytree(BASE, folder)
    manifest = folder / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("la_code: X1", f"la_code: {code}"))
    return folder


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> str:
    """`pipeline validate` of two LAs: HUGE with multi-MB values in a coded and a date column of
    referrals; WIDE whose referrals header has 20,000 columns."""
    inbox = tmp_path_factory.mktemp("scale") / "inbox"
    huge = _la(inbox, "HUGE") / "referrals.csv"
    lines = huge.read_text().splitlines()
    lines[2] = lines[2].replace(",1A,", f",{'Z' * BIG},", 1)  # row 3: referral_source
    lines[3] = lines[3].replace(",2024-01-05,", f",{'D' * BIG},", 1)  # row 4: referral_date
    huge.write_text("\n".join(lines) + "\n")
    wide = _la(inbox, "WIDE") / "referrals.csv"
    header = wide.read_text().splitlines()[0] + "".join(f",extra{n}" for n in range(20_000))
    wide.write_text(header + "\n" + "R01,C01,2024-02-03,1A,K01,N1,N,," + "," * 20_000 + "\n")
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "validate", str(inbox)], capture_output=True,
                          text=True, cwd=PROJECT_DIR, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.stdout + done.stderr


def test_a_multi_mb_value_is_shown_cut_to_its_start_and_length(validated):
    assert len(validated) < 100_000  # the values are 4 MB together
    assert f"row 3: referral_source value '{'Z' * 100}... (2,000,000 characters)' is not in code list" in validated
    assert f"row 4: referral_date value '{'D' * 100}... (2,000,000 characters)' is not a date" in validated
    assert "Z" * 101 not in validated and "D" * 101 not in validated


def test_an_absurdly_wide_header_is_refused_before_its_rows_are_read(validated):
    assert (f"WIDE/referrals.csv: the header (row 1) has 20,009 columns, more than the {MAX_COLUMNS:,} a file may "
            "have: export only the contract's columns (rule too_many_columns)") in validated


def test_empty_la_folders_are_findings_not_partitions(first_publication_source, tmp_path):
    """Hundreds of empty folders beside two unchanged LAs: the refresh says each is not an extract
    and runs nothing (each LA is a Dagster partition with a materialisation and checks per entity, so
    3,000 of them once took 4 minutes and 2.4 GB). `validate` reports them as warnings."""
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    shutil.copytree(first_publication_source / "inbox", inbox)
    shutil.copy(first_publication_source / "warehouse.duckdb", warehouse)
    empty = [f"E{n:04d}" for n in range(300)]
    for code in empty:
        (inbox / code).mkdir()
    done = subprocess.run([sys.executable, "-m", "pipeline.cli", "refresh", "--inbox", str(inbox), "--warehouse",
                           str(warehouse)], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nothing changed: nothing refreshed" in done.stdout
    noted = [line for line in done.stdout.splitlines() if "(rule empty_la_folder)" in line]
    assert noted[0] == ("inbox: WARNING E0000: an empty folder is not an LA extract: put the LA's manifest.yml and files "
                        "in it, or remove it (rule empty_la_folder)")
    assert len(noted) == len(empty)


def test_validate_s_duckdb_has_the_configured_memory_limit_and_a_folder_to_spill_to(monkeypatch, tmp_path):
    """Unbounded, validate's in-memory DuckDB peaked at 14.8 GB on a 21-million-row CSV: it gets
    PIPELINE_DUCKDB_MEMORY_LIMIT, and a temp folder under TMPDIR that is removed afterwards. A sort
    four times the limit spills there and completes."""
    from pipeline.defs.refresh import validation_connection

    monkeypatch.setenv("PIPELINE_DUCKDB_MEMORY_LIMIT", "100MB")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # tempfile reads TMPDIR once, then caches it
    with validation_connection() as con:
        limit, spill = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')"
                                   ).fetchone()
        assert limit == "95.3 MiB" and spill.startswith(str(tmp_path / "pipeline-validate-"))
        rows = con.execute("select count(*) from (select md5(i::varchar) h from range(3000000) t(i) order by h)"
                           ).fetchone()[0]
        assert rows == 3_000_000
    assert list(tmp_path.iterdir()) == []
