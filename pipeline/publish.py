"""Write-audit-publish: copy what passed the gate from the build warehouse into a new file and
swap it in with one atomic rename, so a reader never sees a half-written or mixed warehouse.

Per LA: published if no error-severity check failed for it, else held back, keeping the figures
of its last good publication (and saying why in published.publications). Every table the dbt
project builds in schema `published` is published this way; a table without la_code (the
catalogue) is replaced whole.

Crash safety: until the rename, the published file is only read. A refresh killed at any point
leaves at most a stale `<warehouse>.<random>.tmp` (and the build warehouse, which the next
refresh rebuilds from nothing); the next publish removes stale temp files under the publish lock.
The points where a kill matters most are raised as audit events (sys.audit STAGE_EVENT, PEP 578),
so that a crash test can stop the process there (tests/pause_at.py); with no audit hook installed,
as in every refresh, they cost nothing.

Only the LAs of the run (those whose extract or reference data changed, pipeline/state.py) are in
the build warehouse: every other LA's rows are copied unchanged from the previous publication.

The warehouse is the file dashboards are given, so it holds aggregates only (schema published, and
audit.refresh_state: fingerprints and statuses per LA). The child-level audit.quarantine (whole supplied
records) is written beside it, to the restricted file `<warehouse stem>.audit.duckdb` (mode 0600), by the
same swap: both files are written to temp files, then the audit file is renamed, then the warehouse.
A kill between the two renames leaves the new quarantine beside the old figures and their old
refresh_state, so the next refresh runs those LAs again and writes their quarantine anew. A warehouse
of the old layout (quarantine inside it) has its rows moved out by its next publication (migrate).
"""

import fcntl
import os
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from pipeline.errors import UsageError
from pipeline.load.tables import QUARANTINE_COLUMNS
from pipeline.paths import audit_path_for
from pipeline.state import STATE_DDL
from pipeline.warehouse_file import require_readable

# Views over the published tables (e.g. first-published vs restated figures), created in each new file
VIEWS_DIR = Path(__file__).resolve().parent / "published_views"

# the audit event (argument: the stage, e.g. "publish:renaming") raised where a crash test stops a refresh
STAGE_EVENT = "pipeline.stage"

# Oldest DuckDB that must open the published file: DuckDB 2.0's own format is unreadable to 1.x clients
STORAGE_VERSION = "v1.4.0"

# Tables publish itself keeps, appending to the previous publication's rows (warehouse.md).
LEDGER_DDL = """
create schema if not exists published;
create schema if not exists audit;
create table published.indicator_history as
    select *, null::timestamp as published_at, null::date as extract_date, null::varchar as run_id
    from build.published.indicator_values where false;
create table published.publications (
    run_id varchar, la_code varchar, started_at timestamp, finished_at timestamp, extract_date date,
    status varchar, reason varchar);
create table published.data_quality (
    run_id varchar, la_code varchar, entity varchar, check_name varchar, severity varchar,
    rows_checked bigint, rows_failed bigint, passed boolean, details varchar);
"""


# indicator_history records changes, not nights (warehouse.md): a published figure gets a row when it
# is first published or when its value, numerator or denominator differs from its latest history row.
HISTORY_INSERT = """
insert into published.indicator_history by name
with latest as (
    select * from published.indicator_history
    qualify row_number() over (
        partition by la_code, indicator_id, period_type, period_end, dimension, dimension_value
        order by published_at desc) = 1)
select v.*, $now as published_at, x.extract_date, $run as run_id
from build.published.indicator_values v
join verdicts x using (la_code)
left join latest h
    on h.la_code = v.la_code and h.indicator_id = v.indicator_id and h.period_type = v.period_type
    and h.period_end = v.period_end and h.dimension is not distinct from v.dimension
    and h.dimension_value is not distinct from v.dimension_value
where x.status = 'published'
    and (h.la_code is null or h.value is distinct from v.value or h.numerator is distinct from v.numerator
         or h.denominator is distinct from v.denominator)
"""


@dataclass
class LaVerdict:
    la_code: str
    status: str  # published | held_back
    reason: str | None
    extract_date: date | None


def la_verdicts(build: duckdb.DuckDBPyConnection) -> list[LaVerdict]:
    """Every LA folder of this refresh, held back if any error-severity check failed for it
    (audit.data_quality holds every check, the manifest's included)."""
    rows = build.execute(
        """with las as (
              select la_code from raw.manifests
              union select la_code from audit.data_quality where entity = 'manifest'),
           failures as (
              select la_code, entity || ': ' || check_name || ' failed: '
                     || coalesce(json_extract_string(details, '$.message'), rows_failed || ' rows') as why
              from audit.data_quality where severity = 'error' and not passed)
           select l.la_code, string_agg(distinct f.why, '; ' order by f.why), any_value(m.extract_date)
           from las l left join failures f using (la_code) left join raw.manifests m using (la_code)
           group by l.la_code order by l.la_code"""
    ).fetchall()
    return [LaVerdict(la, "held_back" if why else "published", why, d) for la, why, d in rows]


def publish(build_db: Path, warehouse: Path, run_id: str, started_at: datetime) -> list[LaVerdict]:
    """Build <warehouse>.<random>.tmp from the previous publication + this run, then rename it over."""
    with duckdb.connect(str(build_db), read_only=True) as build:
        verdicts = la_verdicts(build)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with _publish_lock(warehouse):
        _remove_stale_temp_files(warehouse)
        _publish(build_db, warehouse, run_id, started_at, verdicts)
    return verdicts


def _publish(build_db: Path, warehouse: Path, run_id: str, started_at: datetime, verdicts: list[LaVerdict]) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with _new_file(warehouse) as con:
        con.execute("attach $path as build (read_only)", {"path": str(build_db)})
        previous = warehouse.exists()
        con.execute("create temp table verdicts (la_code varchar, status varchar, reason varchar, extract_date date)")
        con.executemany("insert into verdicts values (?, ?, ?, ?)",
                        [(v.la_code, v.status, v.reason, v.extract_date) for v in verdicts])
        con.execute(LEDGER_DDL)
        for n, table in enumerate(_tables(con, "build", "published")):
            _publish_table(con, table, previous)
            if n == 0:
                sys.audit(STAGE_EVENT, "publish:copying")  # the new file half-written
        if previous:
            for table in ("indicator_history", "publications", "data_quality"):
                con.execute(f"insert into published.{table} by name select * from prev.published.{table}")
        # quarantine of LAs not in this refresh stays; LAs in it get this run's
        _carry_quarantine(con, "select la_code from verdicts")
        con.execute(HISTORY_INSERT, {"now": now, "run": run_id})
        con.execute("insert into published.publications select $run, la_code, $start, $now, extract_date, status, "
                    "reason from verdicts", {"run": run_id, "start": started_at, "now": now})
        # examples are supplied values (child IDs, dates): they stay in the build's audit schema
        con.execute("""insert into published.data_quality by name
                       select * replace (json_merge_patch(details, '{"examples": null, "quarantined_examples": null}')
                                         ::varchar as details)
                       from build.audit.data_quality""")
        con.execute("insert into restricted.audit.quarantine by name select * from build.audit.quarantine")
        # what each LA of this run was built from, published or held back (pipeline/state.py)
        _carry_refresh_state(con, previous, "select la_code from verdicts")
        con.execute("""insert into audit.refresh_state
                       select la_code, f.folder_fingerprint, f.reference_fingerprint, $run, $now, v.status
                       from verdicts v join build.audit.run_fingerprints f using (la_code)""",
                    {"run": run_id, "now": now})


# Tables that record what was published and when: kept whole when an LA is withdrawn
LEDGERS = ("indicator_history", "publications", "data_quality")


def withdraw(warehouse: Path, la_codes: list[str], wait: float = 0.0) -> str:
    """Remove LAs from the published warehouse (`pipeline withdraw`), under its refresh lock (waiting
    up to `wait` seconds for a running refresh) and through the same atomic swap: their rows leave every
    published table, audit.refresh_state and the restricted file's audit.quarantine; the ledgers (indicator_history,
    data_quality) keep what was published, and publications gets a 'withdrawn' row. Returns that row's
    run id. ValueError naming the codes the warehouse has never published; RefreshRunning."""
    run_id = f"withdraw-{uuid.uuid4()}"
    with refresh_lock(warehouse, wait):
        _withdraw(warehouse, la_codes, run_id)
    return run_id


def _withdraw(warehouse: Path, la_codes: list[str], run_id: str) -> None:
    if not warehouse.exists():
        raise ValueError(f"warehouse {warehouse} does not exist: nothing to withdraw")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        known = {r[0] for r in con.execute("select distinct la_code from published.publications").fetchall()}
    unknown = sorted(set(la_codes) - known)
    if unknown:
        raise ValueError(f"--la {', '.join(unknown)}: not in warehouse {warehouse} "
                         f"(LAs it has published: {', '.join(sorted(known)) or 'none'})")
    with _publish_lock(warehouse):
        _remove_stale_temp_files(warehouse)
        _rewrite(warehouse, la_codes, run_id)


def migrate(warehouse: Path, wait: float = 0.0) -> int | None:
    """Move audit.quarantine out of a warehouse of the old layout (it sat in the file dashboards are given)
    into the restricted audit file, under the refresh lock (waiting up to `wait` seconds) and through the
    same atomic swap as a publication, changing nothing else; returns the rows moved, None when the
    warehouse needs nothing. A publication moves them too (_carry_quarantine): `pipeline refresh` calls
    this first, so that a refresh publishing nothing migrates as well."""
    if not _holds_quarantine(warehouse):
        return None
    with refresh_lock(warehouse, wait), _publish_lock(warehouse):
        _remove_stale_temp_files(warehouse)
        if not _holds_quarantine(warehouse):  # another process migrated it while we waited for the lock
            return None
        return _rewrite(warehouse, [], None)


def _holds_quarantine(warehouse: Path) -> bool:
    if not warehouse.is_file():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return bool(con.execute("select count(*) from duckdb_tables() "
                                "where schema_name = 'audit' and table_name = 'quarantine'").fetchone()[0])


def _rewrite(warehouse: Path, gone: list[str], run_id: str | None) -> int:
    """The current publication again, without the LAs in `gone` (the ledgers keep them); with `run_id`,
    publications gets a 'withdrawn' row for each. Returns the quarantine rows moved from the old layout.
    The caller holds the publish lock."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with _new_file(warehouse) as con:
        con.execute("create temp table gone (la_code varchar)")
        if gone:
            con.executemany("insert into gone values (?)", [(c,) for c in gone])
        con.execute("create schema published; create schema audit")
        for table in _tables(con, "prev", "published"):
            columns = [r[0] for r in con.execute(f"describe prev.published.{table}").fetchall()]
            keep = ("" if "la_code" not in columns or table in LEDGERS
                    else " where la_code not in (select la_code from gone)")
            con.execute(f"create table published.{table} as select * from prev.published.{table}{keep}")
        if run_id:
            con.execute("insert into published.publications (run_id, la_code, started_at, finished_at, status, "
                        "reason) select $run, la_code, $now, $now, 'withdrawn', 'removed by pipeline withdraw' "
                        "from gone", {"run": run_id, "now": now})
        _carry_refresh_state(con, True, "select la_code from gone")
        return _carry_quarantine(con, "select la_code from gone")


def _carry_refresh_state(con, previous: bool, replaced: str) -> None:
    """audit.refresh_state of the new file: the previous file's rows but for the LAs in `replaced` (a query)."""
    con.execute(STATE_DDL)
    if previous and "refresh_state" in _tables(con, "prev", "audit"):
        con.execute(f"insert into audit.refresh_state by name select * from prev.audit.refresh_state "
                    f"where la_code not in ({replaced})")


def _carry_quarantine(con, replaced: str) -> int:
    """restricted.audit.quarantine of the new audit file: the previous rows but for the LAs in `replaced` (a
    query), from the previous audit file or else, in a warehouse of the old layout, from the warehouse itself,
    so that its rows move to the restricted file and none is lost. Returns the rows taken from the old layout."""
    con.execute(f"create schema restricted.audit; create table restricted.audit.quarantine ({QUARANTINE_COLUMNS})")
    # the audit file first: a swap killed between its two renames leaves it newer than an old-layout warehouse
    for source in ("prev_restricted", "prev"):
        if "quarantine" in _tables(con, source, "audit"):
            con.execute(f"insert into restricted.audit.quarantine by name select * from {source}.audit.quarantine "
                        f"where la_code not in ({replaced})")
            moved = source == "prev"
            return con.execute(f"select count(*) from {source}.audit.quarantine").fetchone()[0] if moved else 0
    return 0


@contextmanager
def _new_file(warehouse: Path):
    """A connection to a new <warehouse>.<random>.tmp (as `pub`, in use) and a new restricted audit file
    (as `restricted`; the current files, if any, attached read-only as `prev` and `prev_restricted`) for the
    caller to fill; then the published views are created, the audit file is renamed over its predecessor
    and the warehouse over the warehouse (module docstring: why in that order). The caller holds the
    publish lock."""
    require_readable(warehouse)  # a damaged previous file is not copied on (a run the daemon started)
    audit = audit_path_for(warehouse)
    tmp, audit_tmp = (p.with_name(f"{p.name}.{uuid.uuid4().hex[:8]}.tmp") for p in (warehouse, audit))
    try:
        with duckdb.connect() as con:
            # the storage format DuckDB 1.4 clients (dashboard tools' embedded DuckDB, ODBC) can open
            for path, name in ((tmp, "pub"), (audit_tmp, "restricted")):
                con.execute(f"attach $path as {name} (storage_version '{STORAGE_VERSION}')", {"path": str(path)})
            audit_tmp.chmod(0o600)  # supplied records: for the pipeline's own user, not the dashboards'
            con.execute("use pub")
            if warehouse.exists():
                con.execute("attach $path as prev (read_only)", {"path": str(warehouse)})
                # the audit file goes with its warehouse: without one (a rebuild), none of it is carried
                if audit.exists():
                    con.execute("attach $path as prev_restricted (read_only)", {"path": str(audit)})
            yield con
            for view in sorted(VIEWS_DIR.glob("*.sql")):
                con.execute(view.read_text())
            con.execute("use memory")
            con.execute("detach pub; detach restricted")  # checkpoints and closes the files before the renames
        sys.audit(STAGE_EVENT, "publish:renaming")  # the new files written, not yet renamed over
        os.replace(audit_tmp, audit)
        os.replace(tmp, warehouse)  # atomic on POSIX: readers see the old file or the new one
    finally:
        for t in (tmp, audit_tmp):
            t.unlink(missing_ok=True)
            t.with_name(t.name + ".wal").unlink(missing_ok=True)


class _publish_lock:
    """An exclusive lock on <warehouse>.lock while publishing, so two refreshes never publish at once
    and the stale-file clean-up never removes another publisher's temp file."""

    def __init__(self, warehouse: Path):
        self.path = warehouse.with_name(warehouse.name + ".lock")

    def __enter__(self):
        self.file = open(self.path, "a")
        fcntl.flock(self.file, fcntl.LOCK_EX)  # released by the OS if the process dies
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()


class RefreshRunning(UsageError):
    """Another refresh of the same warehouse holds its refresh lock."""


_HELD: dict[Path, "refresh_lock"] = {}  # refresh locks this process holds, by lock file


class refresh_lock:
    """One refresh at a time per warehouse: an exclusive lock on <warehouse>.refresh.lock, taken
    before the build file is touched (a second refresh would delete the first one's build file)
    and released by the OS if the process dies. Waits up to `wait` seconds, then RefreshRunning.
    Re-entrant within a process (run_refresh holds it, and raw_manifests asks for it again)."""

    def __init__(self, warehouse: Path, wait: float = 0.0):
        self.path, self.wait = warehouse.with_name(warehouse.name + ".refresh.lock").resolve(), wait
        self.file = None

    def __enter__(self):
        if self.path in _HELD:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = open(self.path, "a")
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                _HELD[self.path] = self
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.file.close()
                    raise RefreshRunning(f"a refresh of {self.path.with_suffix('').with_suffix('')} is already running "
                                         f"(lock {self.path} is held){f' after waiting {self.wait:g}s' if self.wait else ''}: "
                                         "wait for it to finish, or pass --wait SECONDS") from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        if self.file is not None:  # not a re-entry
            _HELD.pop(self.path, None)
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()


def hold_refresh_lock(warehouse: Path) -> None:
    """Take the refresh lock for the rest of this process unless it already holds it: a run the
    Dagster daemon launches (one process per run) does not come through run_refresh."""
    refresh_lock(warehouse).__enter__()


def _remove_stale_temp_files(warehouse: Path) -> None:
    """Temp files of a publish that was killed before its rename (we hold the lock: nobody else is publishing)."""
    for name in (warehouse.name, audit_path_for(warehouse).name):
        for stale in warehouse.parent.glob(f"{name}.*.tmp*"):
            stale.unlink(missing_ok=True)


def _tables(con, catalog: str, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = $c and schema_name = $s order by 1",
        {"c": catalog, "s": schema}).fetchall()]


def _publish_table(con, table: str, previous: bool) -> None:
    """New rows of published LAs; a held-back LA's rows come from the previous publication."""
    columns = [r[0] for r in con.execute(f"describe build.published.{table}").fetchall()]
    if "la_code" not in columns:
        con.execute(f"create table published.{table} as select * from build.published.{table}")
        return
    con.execute(f"""create table published.{table} as select * from build.published.{table}
                    where la_code in (select la_code from verdicts where status = 'published')""")
    if previous and table in _tables(con, "prev", "published"):
        con.execute(f"""insert into published.{table} by name select * from prev.published.{table}
                        where la_code not in (select la_code from verdicts where status = 'published')""")
