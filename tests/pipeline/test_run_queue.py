"""The Dagster instance configuration the daemon runs with (dagster.yaml, copied into DAGSTER_HOME by
`make ui`): runs queue, one at a time, so two refreshes the daemon starts never write the warehouse
at once. (Runs outside the daemon, from the CLI, queue on the refresh lock: tests/bad_inputs/test_refresh_lock.py.)"""

import shutil

import dagster as dg

from pipeline.paths import PROJECT_DIR


def test_the_daemon_queues_runs_one_at_a_time(tmp_path):
    shutil.copy(PROJECT_DIR / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
