"""Faults at the console (issue 28): a hostile environment or a careless operator gets one line naming the
problem and what to do, exit 2, the previous publication intact, and no stack trace on the console (the
traces go to the log file the line names). Each test runs the real `pipeline` command in a process of
its own, on a copy of the shared first publication (tests/conftest.py)."""

import hashlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs.definitions import defs
from pipeline.defs.resources import RefreshSettings
from pipeline.errors import UsageError
from pipeline.paths import PROJECT_DIR
from tests.pause_at import pipeline_command


def run(*args: str, env: dict | None = None, **popen) -> subprocess.CompletedProcess:
    return subprocess.run(pipeline_command(*args), cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_DIR), **(env or {})}, **popen)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2, one `error:` line on stderr holding `words`, and no stack trace anywhere on the console."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and 'File "' not in done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ") and all(w in line for w in words), line
    return line


@pytest.fixture
def previous(first_publication_source, tmp_path) -> tuple[Path, Path]:
    """This test's inbox and a copy of the published warehouse (the previous publication)."""
    shutil.copytree(first_publication_source / "inbox", tmp_path / "inbox")
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(first_publication_source / "warehouse.duckdb", warehouse)
    return tmp_path / "inbox", warehouse


def test_a_corrupt_previous_warehouse_exits_2_and_names_the_log(previous):
    inbox, warehouse = previous
    with open(warehouse, "r+b") as f:
        f.write(b"\xff" * 8192)  # the header overwritten
    before = digest(warehouse)
    done = run("refresh", "--inbox", str(inbox), "--warehouse", str(warehouse))
    line = assert_one_line_error(done, str(warehouse), "cannot be opened", "refresh --full", "backup")
    log = warehouse.with_name("warehouse.duckdb.errors.log")
    assert f"the full trace is in {log}" in line
    assert "not a valid DuckDB database file" in log.read_text() and log.stat().st_mode & 0o077 == 0
    assert digest(warehouse) == before


def test_a_truncated_previous_warehouse_stops_the_refresh_and_the_nightly(previous):
    """It still opens, and its refresh state reads: planned from, every LA was "unchanged", exit 0."""
    inbox, warehouse = previous
    size = warehouse.stat().st_size
    os.truncate(warehouse, size // 2)
    done = run("refresh", "--inbox", str(inbox), "--warehouse", str(warehouse))
    assert_one_line_error(done, str(warehouse), f"truncated ({size // 2} bytes of {size})", "refresh --full")
    assert "nothing changed" not in done.stdout
    # the daemon's nightly (and the inbox sensor) plan from the same file: their tick fails, saying why
    settings = RefreshSettings(inbox_dir=str(inbox), warehouse_path=str(warehouse))
    with dg.instance_for_test() as instance, \
            dg.build_schedule_context(instance=instance, resources={"settings": settings}) as context, \
            pytest.raises(dg.DagsterUserCodeExecutionError) as tick:
        defs.resolve_schedule_def("nightly_refresh").evaluate_tick(context)
    assert isinstance(tick.value.__cause__, UsageError) and "is truncated" in str(tick.value.__cause__)


def test_a_warehouse_path_that_is_a_folder_exits_2(previous):
    inbox, warehouse = previous
    folder = warehouse.with_name("folder.duckdb")
    folder.mkdir()
    done = run("refresh", "--inbox", str(inbox), "--warehouse", str(folder))
    assert_one_line_error(done, str(folder), "is a folder", "--warehouse")


def test_a_non_utf8_locale_does_not_stop_validate(previous, tmp_path):
    """LC_ALL=en_GB.ISO-8859-1 (compiled here with localedef): a quarantined value outside Latin-1 used
    to kill `validate` half-way with UnicodeEncodeError; now it is escaped and the findings run to the end."""
    if not shutil.which("localedef"):
        pytest.skip("localedef is not installed")
    locales = tmp_path / "locales"
    locales.mkdir()
    made = subprocess.run(["localedef", "-i", "en_GB", "-f", "ISO-8859-1", str(locales / "en_GB.ISO-8859-1")],
                          capture_output=True, text=True)  # exit 1 on a mere warning
    assert (locales / "en_GB.ISO-8859-1" / "LC_CTYPE").exists(), made.stderr
    inbox, _ = previous
    children = next(inbox.glob("*/children.csv"))
    lines = children.read_text().splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[2], "2010-03-03→😀", 1)  # a bad date of birth
    children.write_text("\n".join(lines) + "\n")
    env = {"LOCPATH": str(locales), "LC_ALL": "en_GB.ISO-8859-1", "LANG": "en_GB.ISO-8859-1",
           "PYTHONIOENCODING": "", "PYTHONUTF8": "0"}
    done = run("validate", str(inbox), env=env, encoding="latin-1")
    assert done.returncode == 1, done.stdout + done.stderr  # a quarantined row, as in any locale
    assert "Traceback" not in done.stdout + done.stderr and done.stderr == ""
    assert "2010-03-03\\u2192\\U0001f600" in done.stdout  # escaped, not fatal
    assert "row(s) quarantined" in done.stdout.splitlines()[-1]  # the summary: it ran to the end


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a tmpfs of its own (2 MiB free beyond the previous publication), unmounted afterwards;
    CI runs as root, as here; elsewhere the test is skipped."""
    mount = tmp_path / "disk"
    mount.mkdir()

    def mounted(size: str, *options: str) -> Path:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs",
                               str(mount)], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        return mount

    yield mounted
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_read_only_warehouse_folder_exits_2(previous, small_disk):
    inbox, warehouse = previous
    disk = small_disk("8m")
    shutil.copyfile(warehouse, disk / "warehouse.duckdb")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    done = run("refresh", "--inbox", str(inbox), "--warehouse", str(disk / "warehouse.duckdb"), "--full")
    assert_one_line_error(done, str(disk), "read-only")
    assert digest(disk / "warehouse.duckdb") == digest(warehouse)


def test_a_disk_that_fills_during_the_refresh_exits_2_and_keeps_the_publication(previous, small_disk):
    """The build warehouse beside the published file fills the disk: each failed step is one line saying
    the disk is full, the traces (Great Expectations' and dbt's included) go to the log, never the console."""
    inbox, warehouse = previous
    disk = small_disk(f"{warehouse.stat().st_size // 1024 + 2048}k")
    shutil.copyfile(warehouse, disk / "warehouse.duckdb")
    done = run("refresh", "--inbox", str(inbox), "--warehouse", str(disk / "warehouse.duckdb"), "--full")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr and 'File "' not in done.stdout + done.stderr
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED step")]
    assert failed and all("No space left on device" in line and "the disk is full" in line and "full trace is in"
                          in line for line in failed), done.stdout
    assert "nothing published: the previous publication is unchanged" in done.stdout
    assert digest(disk / "warehouse.duckdb") == digest(warehouse)


def stop(previous, tmp_path, sig: signal.Signals, stage: str, in_query: bool) -> subprocess.CompletedProcess:
    """`pipeline refresh --full` paused at `stage` (tests/pause_at.py; `in_query`: inside a DuckDB query),
    then `sig` sent to its whole process group, as a terminal's Ctrl-C or a service manager does."""
    inbox, warehouse = previous
    tmp = tmp_path / "tmp"  # the warm dbt process's socket folder goes here
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR), "TMPDIR": str(tmp), "PAUSE_IN_QUERY": "1" if in_query else ""}
    refresh = subprocess.Popen(
        pipeline_command("refresh", "--inbox", str(inbox), "--warehouse", str(warehouse), "--full", pause_at=stage),
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out = []
        for line in refresh.stdout:
            out.append(line)
            if f"[pause] {stage}" in line:
                break
        else:
            raise AssertionError(f"the refresh ended (exit {refresh.wait()}): {''.join(out)}{refresh.stderr.read()}")
        os.killpg(refresh.pid, sig)
        rest, err = refresh.communicate(timeout=300)
    finally:
        if refresh.poll() is None:
            os.killpg(refresh.pid, signal.SIGKILL)
            refresh.wait()
    assert not list(tmp.iterdir())  # the warm dbt process's socket folder is gone
    assert not list(warehouse.parent.glob("*.tmp*"))  # and the new file's temp file
    return subprocess.CompletedProcess(refresh.args, refresh.returncode, "".join(out) + rest, err)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_while_the_entities_load_stops_the_refresh(previous, tmp_path, sig):
    """Ctrl-C inside a DuckDB query of the load used to become a "file could not be loaded": the refresh ran
    on, exited 0 and published. SIGTERM there waited for the query to end."""
    _, warehouse = previous
    before = digest(warehouse)
    done = stop(previous, tmp_path, sig, "load:landing", in_query=True)
    assert_one_line_error(done, f"stopped by {sig.name}")
    assert "published" not in done.stdout and "loaded" not in done.stdout.split("[pause]")[-1]
    assert digest(warehouse) == before


def test_sighup_while_publishing_cleans_up_like_sigterm(previous, tmp_path):
    """The terminal closed while the new warehouse file was half-written: its temp file is removed, the
    warm dbt folder too, and the previous publication stands."""
    _, warehouse = previous
    before = digest(warehouse)
    done = stop(previous, tmp_path, signal.SIGHUP, "publish:copying", in_query=False)
    assert_one_line_error(done, "stopped by SIGHUP")
    assert digest(warehouse) == before
