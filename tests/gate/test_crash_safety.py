"""Write-audit-publish under failure: a refresh killed with SIGKILL at each stage in turn leaves the
published warehouse byte for byte as it was (it opens, and holds the previous publication), a
rerun over whatever the killed runs left behind completes, and a dashboard holding a read-only
connection through a whole refresh sees only the old publication or the new one, never a mix.

Refreshes run as real `pipeline refresh` processes (python -m pipeline.cli), in their own process
group so the kill takes dbt's subprocess too, as an OOM kill or a lost machine would. Stages are
recognised by the progress lines ("[load]", "[dbt]") or, inside publish, by the crash-test hook
PIPELINE_PAUSE_AT (pipeline.publish.pause_point), which prints "[pause] <stage>" and waits.
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

from pipeline.paths import PROJECT_DIR, build_path_for
from tests.gate.extracts import write_base

# what a dashboard reads, from several tables in one snapshot: a mix of publications would show
FINGERPRINT_SQL = """
select (select list(distinct run_id order by run_id) from published.publications),
       (select list(distinct run_id order by run_id) from published.data_quality),
       (select list(distinct run_id order by run_id) from published.indicator_history),
       (select count(*) from published.indicator_values),
       (select round(sum(value), 6) from published.indicator_values),
       (select max(period_end)::varchar from published.indicator_values)
"""


def fingerprint(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return list(con.execute(FINGERPRINT_SQL).fetchone())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(first_publication):
    """A first publication (March extract); the inbox then holds April's, so a refresh would change it."""
    root, warehouse = first_publication
    before = fingerprint(warehouse)
    write_base(root / "inbox", extract_date="2024-04-30")
    return root, warehouse, before, sha256(warehouse)


def refresh_process(root: Path, warehouse: Path, pause_at: str = "") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "pipeline.cli", "refresh", "--inbox", str(root / "inbox"),
         "--warehouse", str(warehouse)],
        cwd=PROJECT_DIR, env=dict(os.environ, PYTHONPATH=str(PROJECT_DIR), PIPELINE_PAUSE_AT=pause_at),
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
    ("[load]", ""),                                    # loading the extracts into the build warehouse
    ("[dbt] building", ""),                            # dbt building and testing the models
    ("[pause] publish:renaming", "publish:renaming"),  # publish: the new file written, not yet renamed over
])
def test_sigkill_at_each_stage_leaves_the_previous_publication_intact(published, marker, pause_at):
    root, warehouse, before, digest = published
    kill_at(refresh_process(root, warehouse, pause_at), marker)
    assert sha256(warehouse) == digest
    assert fingerprint(warehouse) == before  # it opens and holds the previous publication
    if pause_at:  # the killed publish left its temp file behind: the rerun must cope with it
        assert list(warehouse.parent.glob(f"{warehouse.name}.*.tmp"))


READER = """
import json, sys, time, duckdb
path, mode, stop, sql = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
con = duckdb.connect(path, read_only=True) if mode == "held" else None
while True:
    if mode == "reconnect":
        con = duckdb.connect(path, read_only=True)
    print(json.dumps(list(con.execute(sql).fetchone()), default=str), flush=True)
    if mode == "reconnect":
        con.close()
    if __import__("os").path.exists(stop):
        break
    time.sleep(0.1)
"""


def test_rerun_completes_and_readers_never_see_a_mix(published, tmp_path):
    """The rerun finds whatever the killed runs left (build warehouse, temp files) and completes, while
    one reader holds a connection throughout and another reconnects again and again."""
    root, warehouse, before, _ = published
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
    assert not list(warehouse.parent.glob(f"{warehouse.name}.*.tmp*"))  # stale temp files removed
    assert build_path_for(warehouse).exists()  # the build warehouse of this run, kept for inspection
