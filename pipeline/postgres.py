"""Publish the DuckDB warehouse's `published` schema into Postgres for dashboards, with per-LA row-level
security (README "Connecting a dashboard").

One transaction per push: build schema `published_next` (tables moved as Arrow with ADBC, COPY under
the hood), apply the stored grants as GRANTs and RLS policies, drop `published` and rename the new
schema into its place. A reader sees the old tables or the new ones, never a mix (the drop waits for
running queries; queries waiting on it then find the new tables by name). A push that fails or is
killed rolls back whole: the previous tables stay. `audit` is never pushed (supplied records).

Who reads what lives in `pipeline_access.grants` (owner only), so it survives every push:
an LA role reads the rows of its LAs in every table with la_code (and the tables without); a regional
role reads only the `*_shareable` tables (every LA) and the catalogue. Every table with la_code has
FORCE ROW LEVEL SECURITY: without a policy for it, nobody but a superuser sees a row, owner included.
"""

import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.errors import UsageError
from pipeline.publish import STAGE_EVENT
from pipeline.redact import redact

SCHEMA, STAGING, ACCESS = "published", "published_next", "pipeline_access"
LOCK_KEY = 4_113_013  # pg_advisory_xact_lock: pushes and grant changes never interleave
RETRIED_STATES = ("40P01", "40001")  # deadlock detected, could not serialise: Postgres says run it again
ATTEMPTS = 3
ALWAYS_SHARED = ("indicator_catalogue",)  # tables a regional role reads besides the *_shareable ones

ACCESS_DDL = f"""
create schema if not exists {ACCESS};
revoke all on schema {ACCESS} from public;
create table if not exists {ACCESS}.grants (
    role_name text not null,
    la_code text,            -- null for a regional grant
    regional boolean not null,
    granted_at timestamptz not null default now())
"""


class PostgresError(UsageError):
    """The push or grant did not happen; the message says why and what still stands."""


@dataclass(frozen=True)
class Grant:
    role: str
    las: tuple[str, ...] = ()
    regional: bool = False


def push(warehouse: Path, url: str) -> list[str]:
    """Publish every table and view of the warehouse's `published` schema; returns the table names."""
    if not warehouse.exists():
        raise PostgresError(f"warehouse {warehouse} does not exist (run `pipeline refresh` first)")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            """select table_name from duckdb_tables() where schema_name = 'published'
               union select view_name from duckdb_views() where schema_name = 'published' and not internal
               order by 1""").fetchall()]

        def replace(cur) -> None:
            cur.execute(f"select pg_advisory_xact_lock({LOCK_KEY})")
            _execute_all(cur, ACCESS_DDL)
            cur.execute(f"drop schema if exists {STAGING} cascade")
            cur.execute(f"create schema {STAGING}")
            for table in tables:
                # a DuckDB-only view (e.g. indicator_restatements) arrives as a table of its rows
                data = con.sql(f'select * from published."{table}"').to_arrow_table()
                cur.adbc_ingest(table, data, mode="create", db_schema_name=STAGING)
                sys.audit(STAGE_EVENT, "postgres:copying")  # a crash test stops here (tests/pause_at.py)
            with_la = _tables_with_la(cur, STAGING)
            for table in with_la:
                cur.execute(f"alter table {STAGING}.{_ident(table)} enable row level security")
                cur.execute(f"alter table {STAGING}.{_ident(table)} force row level security")
            for grant in _stored_grants(cur):
                _apply(cur, STAGING, tables, with_la, grant)
            cur.execute(f"drop schema if exists {SCHEMA} cascade")
            cur.execute(f"alter schema {STAGING} rename to {SCHEMA}")

        _transaction(url, replace, "Postgres publish failed, the previous Postgres tables are unchanged")
    return tables


def grant(url: str, g: Grant) -> None:
    """Store the grant (replacing the role's earlier one) and apply it to the live schema."""
    _change(url, g.role, g)


def revoke(url: str, role: str) -> None:
    """Forget the role's grant and take away its access to the live schema."""
    _change(url, role, None)


def _change(url: str, role: str, g: Grant | None) -> None:
    def change(cur) -> None:
        _require_whole_name(cur, role)
        cur.execute(f"select 1 from pg_roles where rolname = {_literal(role)}")
        if cur.fetchone() is None:
            raise PostgresError(f"role {role!r} does not exist in Postgres (create the login role first)")
        cur.execute(f"select pg_advisory_xact_lock({LOCK_KEY})")
        _execute_all(cur, ACCESS_DDL)
        cur.execute(f"delete from {ACCESS}.grants where role_name = {_literal(role)}")
        if g is not None:
            rows = [f"({_literal(role)}, null, true)"] if g.regional else [
                f"({_literal(role)}, {_literal(la)}, false)" for la in g.las]
            cur.execute(f"insert into {ACCESS}.grants (role_name, la_code, regional) values {', '.join(rows)}")
        cur.execute(f"select 1 from pg_namespace where nspname = '{SCHEMA}'")
        if cur.fetchone() is not None:
            tables = _tables(cur, SCHEMA)
            _take_away(cur, SCHEMA, tables, role)
            if g is not None:
                _apply(cur, SCHEMA, tables, _tables_with_la(cur, SCHEMA), g)

    _transaction(url, change, "grant change failed, nothing changed")


def _transaction(url: str, body: Callable, failure: str) -> None:
    """body(cursor) in one transaction, committed if it returns, else rolled back whole: PostgresError
    "<failure>: <Postgres's reason>". Postgres ends one side of a deadlock, or a transaction that could not
    be serialised, and asks the client to run it again (e.g. a DBA's role change crossing a grant change,
    both taking the same tables' locks in another order): that transaction runs again, up to ATTEMPTS."""
    for attempt in range(1, ATTEMPTS + 1):
        with _connect(url) as pg, pg.cursor() as cur:
            try:
                body(cur)
                pg.commit()
                return
            except PostgresError:
                pg.rollback()
                raise
            except Exception as exc:
                pg.rollback()
                if getattr(exc, "sqlstate", None) in RETRIED_STATES and attempt < ATTEMPTS:
                    time.sleep(0.1 * attempt)
                    continue
                raise PostgresError(f"{failure}: {_first_line(exc, url)}") from None


def _apply(cur, schema: str, tables: list[str], with_la: list[str], g: Grant) -> None:
    role = _ident(g.role)
    readable = [t for t in tables if not g.regional or t.endswith("_shareable") or t in ALWAYS_SHARED]
    cur.execute(f"grant usage on schema {schema} to {role}")
    for table in readable:
        cur.execute(f"grant select on {schema}.{_ident(table)} to {role}")
        if table in with_la:
            rows = "true" if g.regional else f"la_code in ({', '.join(_literal(la) for la in g.las)})"
            cur.execute(f"create policy {_policy(g.role)} on {schema}.{_ident(table)} for select to {role} using ({rows})")


def _take_away(cur, schema: str, tables: list[str], role: str) -> None:
    # every policy for the role, whatever its name: the names of before issue 28 ("reader <role>", cut
    # at 63 bytes) go too, so a grant change on a warehouse published before then leaves none behind
    cur.execute(f"""select tablename, policyname from pg_policies
                    where schemaname = {_literal(schema)} and {_literal(role)}::name = any(roles)""")
    for table, policy in cur.fetchall():
        cur.execute(f"drop policy {_ident(policy)} on {schema}.{_ident(table)}")
    for table in tables:
        cur.execute(f"revoke all on {schema}.{_ident(table)} from {_ident(role)}")
    cur.execute(f"revoke all on schema {schema} from {_ident(role)}")


def _stored_grants(cur) -> list[Grant]:
    """Grants of roles that still exist (a dropped role's rows are kept, harmlessly, until revoked)."""
    cur.execute(f"""select g.role_name, bool_or(g.regional),
                           coalesce(array_to_string(array_agg(g.la_code order by g.la_code)
                                    filter (where g.la_code is not null), ','), '')
                    from {ACCESS}.grants g join pg_roles r on r.rolname = g.role_name
                    group by g.role_name order by g.role_name""")
    return [Grant(role, tuple(x for x in las.split(",") if x), regional) for role, regional, las in cur.fetchall()]


def _tables(cur, schema: str) -> list[str]:
    cur.execute(f"select tablename from pg_tables where schemaname = {_literal(schema)} order by 1")
    return [r[0] for r in cur.fetchall()]


def _tables_with_la(cur, schema: str) -> list[str]:
    cur.execute(f"""select table_name from information_schema.columns
                    where table_schema = {_literal(schema)} and column_name = 'la_code' order by 1""")
    return [r[0] for r in cur.fetchall()]


def _connect(url: str):
    import adbc_driver_postgresql.dbapi  # imported here: only a Postgres push needs it

    try:
        return adbc_driver_postgresql.dbapi.connect(url)
    except Exception as exc:
        raise PostgresError(f"cannot connect to Postgres at {redact(url, url)}: {_first_line(exc, url)}") from None


def _execute_all(cur, script: str) -> None:
    for statement in script.split(";"):
        if statement.strip():
            cur.execute(statement)


def _policy(role: str) -> str:
    """A name of its own for every role, however long (Postgres cuts names at 63 bytes: "reader <role>"
    made two long roles' policies one, and granting one silently dropped the other's)."""
    return _ident("reader " + hashlib.sha256(role.encode()).hexdigest()[:16])


def _require_whole_name(cur, role: str) -> None:
    """Postgres cuts a longer name to its identifier limit, silently: two such names are one role."""
    cur.execute("select current_setting('max_identifier_length')")
    limit = int(cur.fetchone()[0])
    if len(role.encode()) > limit:
        raise PostgresError(f"role name {role!r} is {len(role.encode())} bytes, longer than Postgres's {limit}-byte "
                            "limit for names, which it would cut silently: use a role with a shorter name")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _first_line(exc: Exception, url: str) -> str:
    """The error's first line, redacted, for a message: the driver's errors may echo the connection string,
    which is also why the errors are raised `from None` (a chained one shows in tracebacks and Dagster's
    error records)."""
    return redact((str(exc).strip().splitlines() or [exc.__class__.__name__])[0], url)
