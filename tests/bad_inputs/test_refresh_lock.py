"""One refresh at a time per warehouse, shown with real processes: while a refresh runs (paused
inside publish by the crash-test hook, tests/pause_at.py), a second `pipeline refresh` of the same
warehouse exits 2 saying a refresh is running and leaves the first one's build file alone; a third
with --wait waits for the lock and completes once the first has gone; a Dagster run that does not
come through `pipeline refresh` (the daemon's) fails at raw_manifests without touching anything."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.defs.assets.raw import raw_manifests
from pipeline.paths import PROJECT_DIR, build_path_for
from pipeline.defs.resources import build_resources
from tests.pause_at import pipeline_command

BASE = Path(__file__).resolve().parent / "base" / "X1"


def refresh(inbox: Path, warehouse: Path, *extra: str, pause_at: str = "") -> subprocess.Popen:
    return subprocess.Popen(
        pipeline_command("refresh", "--inbox", str(inbox), "--warehouse", str(warehouse), *extra, pause_at=pause_at),
        cwd=PROJECT_DIR, env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def holds_open(proc: subprocess.Popen, path: Path) -> bool:
    """Whether the process has the file open (one of its /proc file descriptors points at it)."""
    try:
        return any(os.path.realpath(fd) == str(path.resolve()) for fd in Path(f"/proc/{proc.pid}/fd").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return False


def at_the_lock(proc: subprocess.Popen, lock: Path, timeout: float = 300) -> bool:
    """Waits until the refresh has the refresh lock file open (it is asking for the lock) or has ended."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if holds_open(proc, lock):
            return True
        time.sleep(0.05)
    return False


def test_a_second_refresh_of_the_same_warehouse_exits_2_or_waits(tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse.duckdb"
    shutil.copytree(BASE, inbox / "X1")
    first = refresh(inbox, warehouse, pause_at="publish:copying")
    try:
        for line in first.stdout:
            if "[pause] publish:copying" in line:
                break
        else:
            raise AssertionError(f"first refresh ended (exit {first.wait()}): {first.stderr.read()}")
        build = build_path_for(warehouse)
        before = build.stat()

        second = refresh(inbox, warehouse)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 2, out + err
        assert "is already running" in err and "Traceback" not in out + err
        after = build.stat()  # the first refresh's build file was not touched
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)

        # a run not started through `pipeline refresh` (the Dagster daemon's) stops at its first step
        daemon_like = dg.materialize([raw_manifests], resources=build_resources(inbox, warehouse), raise_on_error=False)
        assert not daemon_like.success
        [failure] = [e for e in daemon_like.all_events if e.is_step_failure]
        assert "is already running" in failure.event_specific_data.error.to_string()
        after = build.stat()
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)

        third = refresh(inbox, warehouse, "--wait", "600")
        lock = warehouse.with_name(warehouse.name + ".refresh.lock")
        assert at_the_lock(third, lock)  # it opened the lock file: it has asked for the lock
        time.sleep(2)  # without --wait it would be gone within one try (pipeline.publish.refresh_lock)
        assert third.poll() is None and holds_open(third, lock)  # still there, waiting for the lock
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=60)
    out, err = third.communicate(timeout=900)
    assert third.returncode == 0, out + err
    assert "X1: published" in out and "Traceback" not in out + err
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status from published.publications").fetchall() == [("published",)]
