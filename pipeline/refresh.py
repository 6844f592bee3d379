"""Running a refresh outside the Dagster daemon (the CLI, the bench, the tests): the same job the
nightly schedule runs, in this process, under the warehouse's refresh lock."""

import os
from pathlib import Path

import dagster as dg

from pipeline.definitions import build_definitions
from pipeline.publish import refresh_lock
from pipeline.state import LAS_TAG

QUIET_DAGSTER = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def run_refresh(inbox: Path, warehouse: Path, wait: float = 0.0, la_codes: list[str] | None = None, **settings):
    """Run the full_refresh job in-process, as the nightly schedule does, holding the warehouse's
    refresh lock (pipeline.publish.RefreshRunning if another refresh holds it). `la_codes`: the LAs
    to load, gate, build and publish; None: those whose extract or reference data changed
    (pipeline.state.plan). Returns the Dagster result.

    With DAGSTER_HOME set the run is recorded in that Dagster instance (the UI lists it), else in
    an ephemeral one."""
    job = build_definitions(inbox.resolve(), warehouse.resolve(), **settings).resolve_job_def("full_refresh")
    tags = {LAS_TAG: ",".join(la_codes)} if la_codes is not None else {}
    with refresh_lock(warehouse.resolve(), wait), _instance() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_DAGSTER, tags=tags)


def _instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
