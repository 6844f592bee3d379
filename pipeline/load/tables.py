"""DDL of the raw and audit tables in the build warehouse (shapes in docs/warehouse.md), and how
many rows go into one of them at once."""

from contextlib import contextmanager

import pyarrow as pa

from pipeline.specs import entities

LINEAGE = {
    "la_code": "VARCHAR",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
    "_file_sha256": "VARCHAR",
    "_run_id": "VARCHAR",
    "_extra": "VARCHAR",  # JSON of columns the contract does not know: kept, ignored downstream
}

# audit.quarantine's shape: the build warehouse's, and the restricted audit file's (pipeline/publish.py)
QUARANTINE_COLUMNS = """la_code varchar, entity varchar, source_file varchar, row_number bigint, column_name varchar,
    raw_value varchar, rule varchar, message varchar, run_id varchar, raw_record varchar"""

AUDIT_DDL = f"""
create schema if not exists raw;
create schema if not exists audit;
create table if not exists raw.manifests (
    la_code varchar, la_name varchar, extract_date date, case_system varchar,
    population_0_17 varchar, source_file varchar, file_sha256 varchar, run_id varchar);
-- where each LA's entities come from, recorded by raw_manifests for the raw_<entity> loads (pipeline/load/record.py)
create table if not exists raw.la_sources (
    la_code varchar, entity varchar, folder varchar, native boolean,
    source_file varchar,  -- the label supplied_entities uses; NULL: not supplied
    file varchar, sheet varchar,  -- a native file (and sheet) in the folder
    statutory varchar,  -- adapter rows: JSON of the adapter read they come from
    run_id varchar);
create table if not exists raw.supplied_entities (
    la_code varchar, entity varchar, source_file varchar, file_sha256 varchar,
    rows_supplied bigint, rows_loaded bigint, rows_quarantined bigint, run_id varchar,
    missing_columns varchar);  -- JSON list of required columns the file lacks
-- optional contract columns an LA's file lacks: "not supplied", so the indicators needing one have no
-- rows for that LA (practice.md section 1), unlike a present column's empty cells
create table if not exists raw.absent_columns (
    la_code varchar, entity varchar, source_file varchar, column_name varchar, run_id varchar);
create table if not exists raw.source_coverage (
    la_code varchar, entity varchar, source_file varchar, indicator_id varchar, dimension varchar,
    covered_from date, reason varchar, run_id varchar);
create table if not exists audit.quarantine ({QUARANTINE_COLUMNS});
create table if not exists audit.dataset_issues (
    la_code varchar, entity varchar, source_file varchar, rule varchar, severity varchar,
    message varchar, run_id varchar);
create table if not exists audit.data_quality (
    run_id varchar, la_code varchar, entity varchar, check_name varchar, severity varchar,
    rows_checked bigint, rows_failed bigint, passed boolean, details varchar);
"""


def raw_columns(entity) -> list[tuple[str, str]]:
    """raw.<entity>'s columns and their DuckDB types: the contract's, then the lineage columns."""
    return [(c.name, c.sql_type) for c in entity.columns] + list(LINEAGE.items())


def ensure_tables(con) -> None:
    con.execute(AUDIT_DDL)
    for entity in entities().values():
        cols = ", ".join(f'"{name}" {sql_type}' for name, sql_type in raw_columns(entity))
        con.execute(f"create table if not exists raw.{entity.name} ({cols})")


@contextmanager
def registered(con, name: str, rows: pa.Table):
    """`rows` readable as the table `name` for the statements run inside the block."""
    con.register(name, rows)
    try:
        yield
    finally:
        con.unregister(name)


def with_arrow(con, sql: str, rows: pa.Table) -> None:
    """Run `sql` with `rows` readable as the table _arrow: many rows in one statement."""
    with registered(con, "_arrow", rows):
        con.execute(sql)


def insert_rows(con, table: str, rows: list[tuple]) -> None:
    """Rows (tuples in the table's column order) into `table` in one statement, not one INSERT a row:
    per-statement overheads, not the rows, were what bookkeeping inserts cost."""
    if rows:
        columns = {f"c{i}": pa.array(list(values)) for i, values in enumerate(zip(*rows))}
        with_arrow(con, f"insert into {table} select * from _arrow", pa.table(columns))
