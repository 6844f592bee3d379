"""Running a refresh outside the Dagster daemon (the CLI, the bench, the tests): the same job the
nightly schedule runs, in this process, under the warehouse's refresh lock."""

from pathlib import Path

import dagster as dg

from pipeline.definitions import build_definitions
from pipeline.publish import refresh_lock

QUIET_DAGSTER = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def run_refresh(inbox: Path, warehouse: Path, wait: float = 0.0, **settings):
    """Run the full_refresh job in-process, as the nightly schedule does, holding the warehouse's
    refresh lock (pipeline.publish.RefreshRunning if another refresh holds it). Returns the Dagster result."""
    job = build_definitions(inbox.resolve(), warehouse.resolve(), **settings).resolve_job_def("full_refresh")
    with refresh_lock(warehouse.resolve(), wait), dg.DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_DAGSTER)
