"""Running a refresh outside the Dagster daemon (the CLI, the bench, the tests): the same job the
nightly schedule runs, in this process, under the warehouse's refresh lock."""

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline.defs.definitions import build_definitions
from pipeline.paths import INSTANCE_CONFIG
from pipeline.defs.partitions import la_ranges, range_tags, register_las
from pipeline.publish import refresh_lock
from pipeline.settings import settings
from pipeline.state import REFERENCE_TAG, las_to_run

QUIET_DAGSTER = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class Refresh:
    """The Dagster runs of one refresh: one per stretch of neighbouring LA partitions (usually one;
    none when no LA was due). A later run starts only when the one before succeeded."""

    runs: list[dg.ExecuteInProcessResult]

    @property
    def success(self) -> bool:
        return all(r.success for r in self.runs)

    @property
    def run_ids(self) -> list[str]:
        return [r.run_id for r in self.runs]

    @property
    def all_events(self) -> list[dg.DagsterEvent]:
        return [e for r in self.runs for e in r.all_events]

    def get_asset_materialization_events(self) -> list[dg.DagsterEvent]:
        return [e for r in self.runs for e in r.get_asset_materialization_events()]

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [e for r in self.runs for e in r.get_asset_check_evaluations()]


def run_refresh(inbox: Path, warehouse: Path, wait: float = 0.0, la_codes: list[str] | None = None,
                reference: str | None = None, **settings) -> Refresh:
    """Run the full_refresh job in-process, as the nightly schedule does, holding the warehouse's
    refresh lock (pipeline.publish.RefreshRunning if another refresh holds it). `la_codes`: the LAs
    to load, gate, build and publish; None: those whose extract or reference data changed
    (pipeline.state.plan). `reference`: the reference fingerprint the caller planned `la_codes`
    with (the CLI); if the reference data changed since, the LAs it affects run too (las_to_run).

    With DAGSTER_HOME set the runs are recorded in that Dagster instance (the UI lists them, with
    each LA's partition status), else in an ephemeral one."""
    # libraries' info lines (dagster-dbt's "Running dbt command") belong in the run's log, not the
    # CLI's output; warnings and errors still show
    logging.getLogger("dagster.builtin").setLevel(logging.WARNING)
    defs = build_definitions(inbox.resolve(), warehouse.resolve(), **settings)
    job = defs.resolve_job_def("full_refresh")
    with refresh_lock(warehouse.resolve(), wait), _instance() as instance:
        current = defs.resources["settings"].reference_fingerprint  # under the lock: what the runs build with
        la_codes = las_to_run(inbox, warehouse, current, la_codes, reference)
        runs = []
        for first, last in la_ranges(register_las(instance, la_codes), la_codes):
            runs.append(job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_DAGSTER,
                                               tags={**range_tags(first, last), REFERENCE_TAG: current}))
            if not runs[-1].success:
                break
        return Refresh(runs)


def _instance() -> dg.DagsterInstance:
    home = settings().dagster_home
    if not home:
        return dg.DagsterInstance.ephemeral()
    # Dagster wants the folder and its dagster.yaml: a first run makes them, as `make ui` would
    config = home / "dagster.yaml"
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(INSTANCE_CONFIG, config)
    return dg.DagsterInstance.get()
