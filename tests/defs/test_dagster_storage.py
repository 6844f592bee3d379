"""The Dagster instance of dagster.yaml (`make ui`, `make demo`, CLI refreshes with DAGSTER_HOME) keeps each
SQLite database's connections instead of opening one per event (pipeline/runtime/dagster_storage.py).
Checked on the project's file, with a second process storing events as a run does while this one watches
the run as the UI does."""

import os
import shutil
import subprocess
import sys
import time

import dagster as dg
import pytest

from pipeline.paths import INSTANCE_CONFIG, PROJECT_DIR
from pipeline.runtime.dagster_storage import KEPT_RUN_DATABASES
from tests.instance_events import event, store_counting_connections

WRITER = """
import sys
import dagster as dg
from tests.instance_events import event
run_id = sys.argv[1]
with dg.DagsterInstance.get() as instance:
    for batch in range(2):  # the second after the first was seen: a database that exists already
        for i in range(25 * batch, 25 * batch + 25):
            instance.event_log_storage.store_event(event(run_id, i))
        print("stored", flush=True)
        sys.stdin.readline()  # its connections stay open: no checkpoint on closing
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    shutil.copy(INSTANCE_CONFIG, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # the file's storage is in DAGSTER_HOME
    return tmp_path


def test_a_run_s_events_are_stored_over_kept_connections(home):
    with dg.DagsterInstance.get() as instance:
        stored, opened = store_counting_connections(instance, "run-a", 300)
    assert stored == [f"event {i}" for i in range(300)]
    # Dagster's own storage opens one per event: 300 or more
    assert opened <= 2, f"{opened} SQLite connections opened for 300 events"


def test_the_ui_sees_a_running_run_s_events_while_its_process_keeps_its_connections(home):
    seen = []
    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.watch("run-b", None, lambda event, cursor: seen.append(event.user_message))
        writer = subprocess.Popen([sys.executable, "-c", WRITER, "run-b"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=os.environ.copy(), cwd=PROJECT_DIR)
        try:
            for events in (25, 50):
                assert writer.stdout.readline().strip() == "stored"
                deadline = time.monotonic() + 15
                while len(seen) < events and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert seen == [f"event {i}" for i in range(events)]
                assert writer.poll() is None  # still running, its connections open
                writer.stdin.write("next\n")
                writer.stdin.flush()
        finally:
            writer.stdin.close()
            writer.wait(30)


def test_a_process_reading_many_runs_keeps_few_databases_open(home):
    with dg.DagsterInstance.get() as instance:
        for run in range(20):
            instance.event_log_storage.store_event(event(f"run-{run:02}", run))
        assert [e.user_message for run in range(20) for e in instance.all_logs(f"run-{run:02}")] == [
            f"event {run}" for run in range(20)]
        open_databases = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
        open_databases = {p for p in open_databases if p.startswith(str(home)) and p.endswith(".db")}
    # the runs' last KEPT_RUN_DATABASES, the events' index and the runs' table
    assert len(open_databases) <= KEPT_RUN_DATABASES + 2, sorted(open_databases)
    assert str(home / "history" / "runs" / "run-19.db") in open_databases
