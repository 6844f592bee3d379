"""Running a refresh outside the Dagster daemon (the CLI, the bench, the tests): the same job the
nightly schedule runs, in this process, under the warehouse's refresh lock; what came of it
(outcome: the CLI's lines and exit code, the bench's statuses); and `pipeline validate`, its load
and gate without Dagster.

Dagster and the definitions (seconds of imports) are imported only when a run starts: `refresh`
plans, and on an unchanged inbox says so and returns, without them."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline import notices
from pipeline.errors import EXIT_HELD_BACK, EXIT_OK, EXIT_USAGE, UsageError
from pipeline.load.inbox import inbox_notes, require_inbox
from pipeline.paths import INSTANCE_CONFIG, audit_path_for
from pipeline.publish import migrate, refresh_lock
from pipeline.runtime import dbt_child, gx_process, stopping
from pipeline.runtime.spark_handoff import require_engine
from pipeline.settings import settings
from pipeline.state import REFERENCE_TAG, PlannedLa, las_to_run, plan, reference_fingerprint
from pipeline.warehouse_file import require_writable

if TYPE_CHECKING:
    import dagster as dg
    import duckdb

# Dagster's console logger prints each failed step's stack trace: the CLI prints one line per failed step
# instead, and writes the traces to its log file (pipeline/console.py)
# how a step stopped by a signal fails: ours (pipeline.runtime.stopping), Dagster's own SIGINT handler's, Python's
INTERRUPTS = ("Stopped", "DagsterExecutionInterruptedError", "KeyboardInterrupt")
QUIET_DAGSTER = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


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
    # the GX and warm dbt processes import their libraries (seconds each) on the machine's other core while
    # this one imports Dagster and the definitions; the first run's raw_manifests takes them over
    gx_process.start()
    dbt_child.start_warm()
    from pipeline.defs.definitions import build_definitions
    from pipeline.defs.partitions import la_ranges, range_tags, register_las

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
    import dagster as dg

    home = settings().dagster_home
    if not home:
        return dg.DagsterInstance.ephemeral()
    # Dagster wants the folder and its dagster.yaml: a first run makes them, as `make ui` would
    config = home / "dagster.yaml"
    if not config.exists():
        config.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(INSTANCE_CONFIG, config)
    return dg.DagsterInstance.get()


@dataclass(frozen=True)
class LaOutcome:
    """One LA's row of published.publications for the refresh, with its published figures."""

    la_code: str
    status: str  # published or held_back
    reason: str | None
    extract_date: date | None
    indicator_values: int  # the LA's rows in published.indicator_values after the refresh


@dataclass(frozen=True)
class BlockedCheck:
    """A blocking asset check that failed with ERROR: it stopped the publication of every LA."""

    check: str
    asset: str
    failures: list[dict]  # the check's metadata: each failed expectation, its rule, column and examples


@dataclass(frozen=True)
class RefreshOutcome:
    """What came of a refresh. `las` is read from the warehouse only when the run published it."""

    planned: list[PlannedLa] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)  # none: no LA was due, nothing ran
    succeeded: bool = True  # every run's every step
    published: bool = False  # published_warehouse materialised
    blocked: list[BlockedCheck] = field(default_factory=list)
    failed_steps: list[tuple[str, str]] = field(default_factory=list)  # (step key, error message)
    failure_traces: list[str] = field(default_factory=list)  # each failed step's error with its stack traces
    interrupted: bool = False  # a step was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP)
    las: list[LaOutcome] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # inbox folders whose files no one reads (no manifest)

    @property
    def exit_code(self) -> int:
        """EXIT_OK: every LA that ran published (or none was due); EXIT_HELD_BACK: the gate held an LA
        back, a blocking check stopped the publication (the previous one stands), or an inbox folder's files
        were not read (no manifest: a person must act, as for a held-back LA); EXIT_USAGE: a step failed,
        before publishing or after it (the Postgres push, the report)."""
        if not self.succeeded:
            return EXIT_HELD_BACK if self.blocked and not self.published else EXIT_USAGE
        held = any(la.status != "published" for la in self.las) or self.unread
        return EXIT_HELD_BACK if held else EXIT_OK


def outcome(result: Refresh, warehouse: Path, planned: list[PlannedLa] = ()) -> RefreshOutcome:
    """The outcome of run_refresh's runs: failed blocking checks and steps from their events, and each
    LA's publication (status, reason, extract date, figures) from the warehouse they published."""
    published = any(m.asset_key.to_user_string() == "published_warehouse"
                    for m in result.get_asset_materialization_events())
    blocked = [BlockedCheck(e.check_name, e.asset_key.to_user_string(),
                            e.metadata["failures"].value if "failures" in e.metadata else [])
               for e in result.get_asset_check_evaluations()
               if not e.passed and e.blocking and e.severity.value == "ERROR"]
    errors = [(e.step_key, e.event_specific_data.error) for e in result.all_events
              if e.is_step_failure and e.event_specific_data.error]
    return RefreshOutcome(list(planned), result.run_ids, result.success, published, blocked,
                          failed_steps=[(step, _root_cause(error).message.strip()) for step, error in errors],
                          failure_traces=[f"step {step}:\n{error.to_string()}" for step, error in errors],
                          interrupted=any(error.cls_name in INTERRUPTS for _, error in errors),
                          las=_publications(warehouse, result.run_ids) if published else [])


def _root_cause(error):
    """The error Dagster's own wrap ("Error occurred while executing op") is about: the step's own exception."""
    while error.cls_name.startswith("Dagster") and error.cause is not None:
        error = error.cause
    return error


def _publications(warehouse: Path, run_ids: list[str]) -> list[LaOutcome]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """select p.la_code, p.status, p.reason, p.extract_date,
                      (select count(*) from published.indicator_values v where v.la_code = p.la_code)
               from published.publications p where list_contains($runs, p.run_id) order by p.la_code""",
            {"runs": run_ids},
        ).fetchall()
    return [LaOutcome(*row) for row in rows]


def refresh(inbox: Path, warehouse: Path, wait: float = 0.0, force: list[str] = (), full: bool = False,
            engine: str = "duckdb", postgres_url: str | None = None, say: Callable[[str], None] = print,
            **thresholds) -> RefreshOutcome:
    """`pipeline refresh`: plan which LAs run (pipeline.state.plan: those forced, new or changed), `say`
    the plan, run them (run_refresh) and return the outcome. UsageError for an inbox without LA
    folders, an engine this machine lacks, a refresh already running; ValueError for a forced LA that
    is not in the inbox. `postgres_url` None: $PIPELINE_POSTGRES_URL, if set (build_resources)."""
    require_inbox(inbox)
    require_engine(engine)
    require_writable(warehouse)
    notices.config()  # a notice configuration that does not load stops the refresh before it starts
    say(f"refresh: inbox {inbox} -> warehouse {warehouse}" + (f" (engine {engine})" if engine != "duckdb" else ""))
    reference = reference_fingerprint(**thresholds)  # planned with, and recorded by, this refresh
    planned = plan(inbox, warehouse, reference, force, full)
    for p in planned:
        say(f"{p.la_code}: {'refresh: ' if p.run else 'skipped: '}{p.reason}")
    # a warehouse of the old layout gives its quarantine to the restricted file now, even if nothing runs
    if (moved := migrate(warehouse.resolve(), wait)) is not None:
        say(f"moved {moved} quarantined row(s) out of {warehouse} into the restricted {audit_path_for(warehouse)}")
    notes = inbox_notes(inbox)  # folders that are not LAs (hidden, empty, no manifest): said, never run
    for note in notes:
        say(f"inbox: {note.severity.upper()} {note.message}")
    unread = [n.folder for n in notes if n.severity == "error"]
    notices.unread_folders(warehouse.resolve(), inbox, notes)  # no run starts for them: said to someone who can act
    la_codes = [p.la_code for p in planned if p.run]
    if not la_codes:
        # no run, so no overdue check in one: an LA that sent nothing is still told it is overdue
        notices.report_overdue(warehouse.resolve())
        return RefreshOutcome(planned, unread=unread)
    dbt_log = warehouse.resolve().with_name(warehouse.stem + ".dbt.log")
    extra = {"postgres_url": postgres_url} if postgres_url else {}
    result = run_refresh(inbox, warehouse, wait, la_codes, reference, dbt_log=str(dbt_log), engine=engine,
                         **extra, **thresholds)
    done = replace(outcome(result, warehouse, planned), unread=unread)
    stopping.raise_if_stopped(done.interrupted)  # the CLI says so, not as a failed step
    return done


@contextmanager
def validation_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """validate's in-memory DuckDB, held to the configured memory limit (PIPELINE_DUCKDB_MEMORY_LIMIT)
    as the refresh's build warehouse is, with a temp folder of its own to spill to (under TMPDIR,
    removed after): unbounded, it peaked at 14.8 GB on a 21-million-row CSV."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="pipeline-validate-") as spill, duckdb.connect(config={
            "memory_limit": settings().duckdb_memory_limit, "temp_directory": spill}) as con:
        yield con


def validate(inbox: Path, **thresholds) -> int:
    """`pipeline validate`: load and gate the inbox as a refresh would (pipeline.quality.inbox_check),
    into memory, and print the findings; returns the exit code (pipeline.quality.findings). An
    exception on the way is a bug, not a finding: UsageError naming it, the traceback in the debug log."""
    from pipeline.defs.resources import RefreshSettings
    from pipeline.quality.findings import print_findings
    from pipeline.quality.inbox_check import check_inbox

    require_inbox(inbox)
    settings = RefreshSettings(inbox_dir=str(inbox.resolve()), **thresholds)
    with validation_connection() as con:
        try:
            check_inbox(con, inbox.resolve(), settings)
        except Exception as exc:
            stopping.reraise(exc)
            logging.getLogger("pipeline").debug("validate failed", exc_info=True)
            raise UsageError(f"validation stopped: {exc.__class__.__name__}: {exc}") from exc
        return print_findings(con)
