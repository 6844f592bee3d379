"""Write-audit-publish under failure: a refresh killed with SIGKILL at each stage in turn leaves the
published warehouse (and the restricted audit file beside it) byte for byte as it was (it opens, and
holds the previous publication, table by table), no process of the refresh runs on, a rerun over
whatever the killed runs left behind completes, and a dashboard holding a read-only connection
through a whole refresh sees only the old publication or the new one, never a mix.

Refreshes run as real `pipeline refresh` processes (python -m pipeline.cli), in their own process
group. Most kills take the whole group, as a lost machine would; the kill while dbt builds takes the
refresh process alone, as the OOM killer would, and dbt must die with it (pipeline/runtime/dbt_child.py).
Stages are recognised by the progress line ("[load]"), by dbt's own files (the models it has run),
or, inside publish, by the crash-test hook (tests/pause_at.py, on the audit events publish raises), which
prints "[pause] <stage>" and waits.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.paths import PROJECT_DIR, audit_path_for, build_path_for
from tests.pause_at import pipeline_command
from tests.quality.extracts import write_base

# what a dashboard reads, from several tables in one snapshot: a mix of publications would show
FINGERPRINT_SQL = """
select (select list(distinct run_id order by run_id) from published.publications),
       (select list(distinct run_id order by run_id) from published.data_quality),
       (select list(distinct run_id order by run_id) from published.indicator_history),
       (select count(*) from published.indicator_values),
       (select round(sum(value), 6) from published.indicator_values),
       (select max(period_end)::varchar from published.indicator_values)
"""


DBT_MODELS = "dbt models run"  # not a line of output: dbt's run folder (dbt_running_models)


def fingerprint(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return list(con.execute(FINGERPRINT_SQL).fetchone())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(warehouse: Path) -> tuple[str, str]:
    """The published warehouse's bytes, and the restricted audit file's beside it."""
    return sha256(warehouse), sha256(audit_path_for(warehouse))


def content(warehouse: Path) -> dict[str, tuple]:
    """Every table and view of the published warehouse: its row count and a digest of all its rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select schema_name || '.' || table_name from duckdb_tables() union all "
                             "select schema_name || '.' || view_name from duckdb_views() where not internal "
                             "order by 1").fetchall()
        return {t: con.execute(f"select count(*), md5(coalesce(string_agg(r::varchar, '|' order by r::varchar), "
                               f"'')) from {t} r").fetchone() for (t,) in tables}


def refresh_processes(proc: subprocess.Popen, build_db: Path) -> list[str]:
    """Live processes of a refresh: in its process group, or (dbt) started in its build warehouse's folder."""
    marker = f"PIPELINE_BUILD_DIR={build_db.parent}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            state, _, pgrp = stat.rsplit(")", 1)[1].split()[:3]
            environ = (entry / "environ").read_bytes().split(b"\0")
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if state != "Z" and (int(pgrp) == proc.pid or marker in environ):
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def none_left(proc: subprocess.Popen, build_db: Path, within: float = 20) -> list[str]:
    """Waits up to `within` seconds for every process of the refresh to be gone; returns any still there."""
    deadline = time.monotonic() + within
    while (left := refresh_processes(proc, build_db)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.fixture(scope="module")
def published(first_publication):
    """A first publication (March extract); the inbox then holds April's, so a refresh would change it."""
    root, warehouse = first_publication
    before = fingerprint(warehouse)
    write_base(root / "inbox", extract_date="2024-04-30")
    return root, warehouse, before, digests(warehouse), content(warehouse)


def refresh_process(root: Path, warehouse: Path, pause_at: str = "") -> subprocess.Popen:
    return subprocess.Popen(
        pipeline_command("refresh", "--inbox", str(root / "inbox"), "--warehouse", str(warehouse), pause_at=pause_at),
        cwd=PROJECT_DIR, env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def kill_at(proc: subprocess.Popen, marker: str) -> list[str]:
    """Read the refresh's output until a line contains marker, then SIGKILL its whole process group."""
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return seen
    pytest.fail(f"refresh ended (exit {proc.wait()}) before {marker!r}:\n{''.join(seen)}")


@pytest.mark.parametrize("marker, pause_at", [
    ("[pause] load:landed", "load:landed"),            # an entity's rows landed in the build warehouse, more to come
    (DBT_MODELS, ""),                                  # dbt has run models and is building more
    ("[pause] publish:copying", "publish:copying"),    # publish: the new file half-written
    ("[pause] publish:renaming", "publish:renaming"),  # publish: the new file written, not yet renamed over
])
def test_sigkill_at_each_stage_leaves_the_previous_publication_intact(published, marker, pause_at):
    root, warehouse, before, digest, tables = published
    proc = refresh_process(root, warehouse, pause_at)
    if marker == DBT_MODELS:
        dbt_running_models(proc, build_path_for(warehouse))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
    else:
        kill_at(proc, marker)
    assert none_left(proc, build_path_for(warehouse)) == []
    assert digests(warehouse) == digest
    assert fingerprint(warehouse) == before  # it opens and holds the previous publication
    assert content(warehouse) == tables  # every published row, table by table
    if pause_at.startswith("publish:"):  # the killed publish left its temp files behind: the rerun must cope with them
        assert list(warehouse.parent.glob(f"{warehouse.name}.*.tmp"))
        assert list(warehouse.parent.glob(f"{audit_path_for(warehouse).name}.*.tmp"))


def dbt_running_models(proc: subprocess.Popen, build_db: Path, timeout: float = 600) -> int:
    """Waits until the refresh's dbt process has run some models (their compiled SQL is in its run folder
    under DBT_TARGET_PATH); returns dbt's pid."""
    marker = f"PIPELINE_BUILD_DIR={build_db.parent}".encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for entry in Path("/proc").iterdir():
            try:
                environ = (entry / "environ").read_bytes().split(b"\0") if entry.name.isdigit() else []
                if marker not in environ or int(entry.name) == proc.pid:
                    continue
                env = dict(v.decode().split("=", 1) for v in environ if b"=" in v)
                if "DBT_TARGET_PATH" not in env:
                    continue
                run = Path(env["DBT_PROJECT_DIR"]) / env["DBT_TARGET_PATH"] / "run"  # dbt resolves it from the project
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            if len(list(run.rglob("*.sql"))) >= 5:
                return int(entry.name)
        time.sleep(0.2)
    pytest.fail(f"dbt never got to run models (refresh exit {proc.poll()})")


def test_sigkill_of_the_refresh_while_dbt_builds_takes_dbt_with_it(published):
    """The refresh process alone is killed (as the OOM killer would) while dbt is building models: dbt,
    its child, must not run on writing the build warehouse, and the publication is untouched."""
    root, warehouse, before, digest, tables = published
    build_db = build_path_for(warehouse)
    proc = refresh_process(root, warehouse)
    try:
        dbt_pid = dbt_running_models(proc, build_db)
        assert Path(f"/proc/{dbt_pid}").exists()
        os.kill(proc.pid, signal.SIGKILL)  # not the group: dbt has to go by itself
        proc.wait(timeout=60)
        assert none_left(proc, build_db) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever the assertion found, leave nothing behind
        except ProcessLookupError:
            pass
        proc.stdout.close()
    assert digests(warehouse) == digest
    assert fingerprint(warehouse) == before
    assert content(warehouse) == tables


def gx_process_of(proc: subprocess.Popen, timeout: float = 300) -> int:
    """The pid of the refresh's Great Expectations process (pipeline/runtime/gx_process.py), once started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for entry in Path("/proc").iterdir():
            try:
                cmdline = (entry / "cmdline").read_bytes() if entry.name.isdigit() else b""
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) if cmdline else 0
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            if parent == proc.pid and b"pipeline.runtime.gx_process" in cmdline:
                return int(entry.name)
        time.sleep(0.05)
    pytest.fail(f"the refresh never started its GX process (exit {proc.poll()})")


def test_the_gx_process_killed_during_a_refresh_fails_it_cleanly(published):
    """The GX process dies (SIGKILL, as the OOM killer would) with gate requests waiting: it is stopped
    first, so the kill lands before any reply whatever the timing. The refresh fails, saying so, leaves
    no process behind, and the previous publication stands."""
    root, warehouse, before, digest, tables = published
    proc = refresh_process(root, warehouse)
    try:
        gx = gx_process_of(proc)
        os.kill(gx, signal.SIGSTOP)  # no reply from here on: the entities' gates queue up and wait
        seen = []
        for line in proc.stdout:  # an entity landed, so its gate has been sent and waits for its reply
            seen.append(line)
            if "[load]" in line and "loaded" in line:
                break
        time.sleep(1)
        os.kill(gx, signal.SIGKILL)
        output = "".join(seen) + proc.stdout.read()
        proc.wait(timeout=300)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stdout.close()
    assert proc.returncode not in (0, 1), output  # failed: not published, not "an LA held back"
    assert "the Great Expectations process exited" in output, output[-3000:]
    assert none_left(proc, build_path_for(warehouse)) == []
    assert digests(warehouse) == digest
    assert fingerprint(warehouse) == before
    assert content(warehouse) == tables


READER = """
import json, sys, time, duckdb
path, mode, stop, sql = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
con = duckdb.connect(path, read_only=True) if mode == "held" else None
while True:
    done = __import__("os").path.exists(stop)  # checked before reading: the last read starts after the refresh ended
    if mode == "reconnect":
        con = duckdb.connect(path, read_only=True)
    print(json.dumps(list(con.execute(sql).fetchone()), default=str), flush=True)
    if mode == "reconnect":
        con.close()
    if done:
        break
    time.sleep(0.1)
"""


def test_rerun_completes_and_readers_never_see_a_mix(published, tmp_path):
    """The rerun finds whatever the killed runs left (build warehouse, temp files) and completes, while
    one reader holds a connection throughout and another reconnects again and again."""
    root, warehouse, before, _, _ = published
    stop = tmp_path / "stop"
    readers = {mode: subprocess.Popen([sys.executable, "-c", READER, str(warehouse), mode, str(stop), FINGERPRINT_SQL],
                                      stdout=subprocess.PIPE, text=True) for mode in ("held", "reconnect")}
    time.sleep(2)  # both readers are connected before the refresh starts
    proc = refresh_process(root, warehouse)
    output, _ = proc.communicate(timeout=900)
    stop.touch()
    seen = {mode: [json.loads(line) for line in r.communicate(timeout=60)[0].splitlines()] for mode, r in readers.items()}

    assert proc.returncode == 0, output
    after = fingerprint(warehouse)
    assert set(before[0]) < set(after[0])  # a new publication, the earlier ones kept
    assert after[5] == "2024-04-30"  # the April extract is published
    assert len(seen["held"]) > 5 and all(f == before for f in seen["held"])  # the held connection: old, always
    assert seen["reconnect"][0] == before and seen["reconnect"][-1] == after
    assert all(f in (before, after) for f in seen["reconnect"])  # never a mix
    for name in (warehouse.name, audit_path_for(warehouse).name):
        assert not list(warehouse.parent.glob(f"{name}.*.tmp*"))  # stale temp files removed
    assert build_path_for(warehouse).exists()  # the build warehouse of this run, kept for inspection
