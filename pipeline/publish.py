"""Write-audit-publish: copy what passed the gate from the build warehouse into a new file and
swap it in with one atomic rename, so a reader never sees a half-written or mixed warehouse.

Per LA: published if no error-severity check failed for it, else held back, keeping the figures
of its last good publication (and saying why in published.publications).
"""

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

# published tables whose rows belong to one LA and are replaced when that LA publishes again
PER_LA_TABLES = ("indicator_values",)


@dataclass
class LaVerdict:
    la_code: str
    status: str  # published | held_back
    reason: str | None
    extract_date: object | None


def la_verdicts(build: duckdb.DuckDBPyConnection) -> list[LaVerdict]:
    rows = build.execute(
        """with las as (
              select la_code from raw.manifests
              union select la_code from audit.dataset_issues where entity = 'manifest'),
           failures as (
              select la_code, entity || ': ' || coalesce(message, rule) as why from audit.dataset_issues
              where severity = 'error'
              union all
              select la_code, entity || ': ' || check_name || ' failed (' || rows_failed || ' rows)'
              from audit.data_quality where severity = 'error' and not passed)
           select l.la_code, string_agg(distinct f.why, '; ' order by f.why), any_value(m.extract_date)
           from las l left join failures f using (la_code) left join raw.manifests m using (la_code)
           group by l.la_code order by l.la_code"""
    ).fetchall()
    return [LaVerdict(la, "held_back" if why else "published", why, d) for la, why, d in rows]


PUBLISHED_DDL = """
create schema published;
create schema audit;
create table published.indicator_values (
    la_code varchar, indicator_id varchar, period_type varchar, period_start date, period_end date,
    dimension varchar, dimension_value varchar, numerator bigint, denominator bigint, value double,
    primary key (la_code, indicator_id, period_type, period_end, dimension, dimension_value));
create table published.indicator_history (
    la_code varchar, indicator_id varchar, period_type varchar, period_start date, period_end date,
    dimension varchar, dimension_value varchar, numerator bigint, denominator bigint, value double,
    published_at timestamp, extract_date date, run_id varchar);
create table published.publications (
    run_id varchar, la_code varchar, started_at timestamp, finished_at timestamp, extract_date date,
    status varchar, reason varchar);
create table published.data_quality (
    run_id varchar, la_code varchar, entity varchar, check_name varchar, severity varchar,
    rows_checked bigint, rows_failed bigint, passed boolean, details varchar);
create table audit.quarantine (
    la_code varchar, entity varchar, source_file varchar, row_number bigint, column_name varchar,
    raw_value varchar, rule varchar, message varchar, run_id varchar, raw_record varchar);
"""


def publish(build_db: Path, warehouse: Path, run_id: str, started_at: datetime) -> list[LaVerdict]:
    """Build <warehouse>.<uuid>.tmp from the previous publication + this run, then rename it over."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = warehouse.with_name(f"{warehouse.name}.{uuid.uuid4().hex[:8]}.tmp")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with duckdb.connect(str(build_db), read_only=True) as build:
        verdicts = la_verdicts(build)
    try:
        con = duckdb.connect(str(tmp))
        con.execute(PUBLISHED_DDL)
        con.execute("attach $path as build (read_only)", {"path": str(build_db)})
        has_previous = warehouse.exists()
        if has_previous:
            con.execute("attach $path as prev (read_only)", {"path": str(warehouse)})
        con.execute("create temp table verdicts (la_code varchar, status varchar, reason varchar, extract_date date)")
        con.executemany("insert into verdicts values (?, ?, ?, ?)",
                        [(v.la_code, v.status, v.reason, v.extract_date) for v in verdicts])
        published = "(select la_code from verdicts where status = 'published')"

        # LA figures: new ones for published LAs, the last good ones for everyone else
        con.execute(f"insert into published.indicator_values select * from build.marts.fct_indicator_values "
                    f"where la_code in {published}")
        if has_previous:
            con.execute(f"insert into published.indicator_values select * from prev.published.indicator_values "
                        f"where la_code not in {published}")
            for table in ("indicator_history", "publications", "data_quality"):
                con.execute(f"insert into published.{table} select * from prev.published.{table}")
            con.execute("insert into audit.quarantine select * from prev.audit.quarantine "
                        "where la_code not in (select la_code from verdicts)")
        con.execute(
            f"""insert into published.indicator_history
            select v.*, $now, x.extract_date, $run from build.marts.fct_indicator_values v
            join verdicts x using (la_code) where x.status = 'published'""",
            {"now": now, "run": run_id},
        )
        con.execute(
            "insert into published.publications select $run, la_code, $start, $now, extract_date, status, reason "
            "from verdicts",
            {"run": run_id, "start": started_at, "now": now},
        )
        con.execute("insert into published.data_quality select * from build.audit.data_quality")
        con.execute("insert into audit.quarantine select * from build.audit.quarantine")
        con.execute("create table published.indicator_catalogue as select * from build.seeds.indicator_catalogue")
        con.execute("checkpoint")
        con.close()
        os.replace(tmp, warehouse)  # atomic on POSIX: readers see the old file or the new one
    finally:
        tmp.unlink(missing_ok=True)
    return verdicts

