"""Runs that write the warehouse never overlap: the Dagster instance (dagster.yaml, copied into
DAGSTER_HOME by `make ui`) queues runs and starts one at a time. Checked on the configuration and
end to end with a real `dagster-daemon` whose inbox sensor requests two runs at once. (Runs outside
the daemon, from the CLI, queue on the refresh lock: tests/bad_inputs/test_refresh_lock.py.)"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.generate import generate_inbox
from pipeline.defs.partitions import LA_PARTITIONS
from pipeline.paths import PROJECT_DIR

FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


def test_the_daemon_queues_runs_one_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # the file's storage is in DAGSTER_HOME
    shutil.copy(PROJECT_DIR / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_two_requested_runs_queue_and_run_one_after_the_other(tmp_path, monkeypatch):
    inbox, home, warehouse = tmp_path / "inbox", tmp_path / "dagster_home", tmp_path / "warehouse.duckdb"
    a, b = generate_inbox(inbox, n_las=2, months=3)
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # this process reads the instance the daemon's runs write
    shutil.copy(PROJECT_DIR / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        # an LA partition between the two whose folder has left the inbox: A and B are not neighbours,
        # so the inbox sensor requests two runs (a..a and b..b) in one evaluation
        instance.add_dynamic_partitions(LA_PARTITIONS.name, [a, "X00000000", b])
        env = {**os.environ, "DAGSTER_HOME": str(home), "PIPELINE_INBOX": str(inbox),
               "PIPELINE_WAREHOUSE": str(warehouse)}
        log = tmp_path / "daemon.log"  # a file, not a pipe: an unread pipe would fill and stall the runs' logging
        with open(log, "w") as out:
            daemon = subprocess.Popen([str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", "workspace.yaml"],
                                      cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        try:
            seen = wait_for_two_finished_runs(instance, daemon, log, deadline=time.monotonic() + 900)
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
        records = sorted(instance.get_run_records(), key=lambda r: r.start_time)
        errors = [e.message or str(e.dagster_event.event_specific_data) for r in records
                  for e in instance.all_logs(r.dagster_run.run_id)
                  if e.dagster_event and e.dagster_event.is_failure]

    assert [r.dagster_run.status for r in records] == [dg.DagsterRunStatus.SUCCESS] * 2, errors
    ranges = sorted((r.dagster_run.tags["dagster/asset_partition_range_start"],
                     r.dagster_run.tags["dagster/asset_partition_range_end"]) for r in records)
    assert ranges == [(a, a), (b, b)]
    first, second = records
    assert second.start_time >= first.end_time  # never both running
    # and the second was requested while the first ran: it waited in the queue
    assert ("QUEUED", "STARTED") in seen
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("select la_code, count(distinct run_id) from published.publications group by 1 order by 1"
                           ).fetchall()
    assert runs == [(a, 1), (b, 1)]


def wait_for_two_finished_runs(instance, daemon, log, deadline) -> set[tuple]:
    """Poll the instance until two runs finished; every pair of statuses seen at once, sorted."""
    seen = set()
    while time.monotonic() < deadline:
        runs = instance.get_runs()
        if len(runs) == 2:
            seen.add(tuple(sorted(r.status.value for r in runs)))
            if {r.status for r in runs} <= FINISHED:
                return seen
        assert daemon.poll() is None, f"dagster-daemon exited: {log.read_text()[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"two runs did not finish in time: {[(r.run_id, r.status) for r in instance.get_runs()]}")
