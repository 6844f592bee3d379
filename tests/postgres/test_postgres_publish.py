"""Postgres publishing with per-LA row-level security (issue 13), on a real throwaway cluster."""

import shutil
import signal
import subprocess
import threading
import time

import adbc_driver_postgresql.dbapi as pg
import duckdb
import pytest

from pipeline.cli import main
from pipeline.paths import PROJECT_DIR
from pipeline.postgres import Grant, PostgresError, grant, push, revoke
from tests.pause_at import pipeline_command
from tests.postgres.helpers import stored_grants

LA, OTHER = "X1", "X2"


def query(url: str, sql: str, user: str | None = None) -> list[tuple]:
    if user:
        url = url.replace("postgres@", f"{user}@", 1)
    with pg.connect(url) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def duck(warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def pushed(postgres_url, warehouse) -> str:
    with pg.connect(postgres_url) as con, con.cursor() as cur:
        for role in ("la_reader", "regional_reader", "nobody"):
            cur.execute(f"create role {role} login")
        con.commit()
    push(warehouse, postgres_url)
    grant(postgres_url, Grant("la_reader", (LA,)))
    assert main(["grant", "--postgres", postgres_url, "--user", "regional_reader", "--regional"]) == 0
    return postgres_url


def test_tables_types_and_no_audit(pushed, warehouse):
    tables = {r[0] for r in query(pushed, "select tablename from pg_tables where schemaname = 'published'")}
    expected = {r[0] for r in duck(warehouse, """select table_name from duckdb_tables() where schema_name = 'published'
                                                 union select view_name from duckdb_views()
                                                 where schema_name = 'published' and not internal""")}
    assert tables == expected and "indicator_restatements" in tables  # the DuckDB view arrives as a table
    assert not query(pushed, "select 1 from pg_namespace where nspname in ('audit', 'published_next')")
    types = dict(query(pushed, """select column_name, data_type from information_schema.columns
                                  where table_schema = 'published' and table_name = 'indicator_values'"""))
    assert types["period_end"] == "date" and types["numerator"] == "bigint"
    assert types["value"] == "double precision" and types["la_code"] == "text"
    assert query(pushed, "select count(*) from published.indicator_values") == \
        duck(warehouse, "select count(*) from published.indicator_values")


def test_la_role_sees_exactly_its_rows(pushed, warehouse):
    for table in ("indicator_values", "scorecard", "indicator_values_shareable", "publications"):
        seen = query(pushed, f"select la_code, count(*) from published.{table} group by 1", user="la_reader")
        assert seen == duck(warehouse, f"select la_code, count(*) from published.{table} where la_code = '{LA}' group by 1")
        assert seen and seen[0][1] > 0
    assert query(pushed, f"select count(*) from published.scorecard where la_code = '{OTHER}'", user="la_reader") == [(0,)]
    # RLS is forced: the policies bind every non-superuser, whatever it owns
    assert query(pushed, "select bool_and(relrowsecurity and relforcerowsecurity) from pg_class c join pg_namespace n "
                         "on n.oid = c.relnamespace where nspname = 'published' and relname = 'indicator_values'")[0][0]


def test_regional_role_reads_only_shareable_tables(pushed, warehouse):
    seen = query(pushed, "select count(*), count(distinct la_code) from published.indicator_values_shareable",
                 user="regional_reader")
    assert seen == duck(warehouse, "select count(*), count(distinct la_code) from published.indicator_values_shareable")
    assert seen[0][1] == 2
    assert query(pushed, "select count(*) from published.indicator_catalogue", user="regional_reader")[0][0] > 0
    for table in ("indicator_values", "scorecard", "indicator_history"):
        with pytest.raises(Exception, match="permission denied"):
            query(pushed, f"select count(*) from published.{table}", user="regional_reader")


def test_nobody_but_the_owner_reads_outside_published(pushed):
    for user in ("la_reader", "regional_reader", "nobody"):
        with pytest.raises(Exception, match="permission denied"):
            query(pushed, "select * from pipeline_access.grants", user=user)
    with pytest.raises(Exception, match="permission denied"):
        query(pushed, "select * from published.indicator_values", user="nobody")


def test_grants_survive_a_publish_and_revoke_undoes_them(pushed, warehouse):
    push(warehouse, pushed)
    assert query(pushed, "select distinct la_code from published.scorecard", user="la_reader") == [(LA,)]
    assert {g.role for g in stored_grants(pushed)} == {"la_reader", "regional_reader"}
    revoke(pushed, "regional_reader")
    with pytest.raises(Exception, match="permission denied"):
        query(pushed, "select count(*) from published.indicator_values_shareable", user="regional_reader")
    push(warehouse, pushed)
    with pytest.raises(Exception, match="permission denied"):
        query(pushed, "select count(*) from published.indicator_values_shareable", user="regional_reader")
    grant(pushed, Grant("regional_reader", regional=True))
    with pytest.raises(PostgresError, match="does not exist"):
        grant(pushed, Grant("no_such_role", (LA,)))


def test_reader_never_errors_nor_sees_a_mix_during_publishes(pushed, warehouse, tmp_path):
    # a second publication with only one LA: a reader must see both tables with 2 LAs or both with 1
    smaller = tmp_path / "smaller.duckdb"
    shutil.copy(warehouse, smaller)
    with duckdb.connect(str(smaller)) as con:
        for (table,) in con.execute("""select table_name from duckdb_columns() where schema_name = 'published'
                                       and column_name = 'la_code' and table_name in
                                       (select table_name from duckdb_tables())""").fetchall():
            con.execute(f"delete from published.{table} where la_code = '{OTHER}'")
    seen, errors, stop = set(), [], threading.Event()

    def read():
        while not stop.is_set():
            try:
                seen.add(query(pushed, """select (select count(distinct la_code) from published.indicator_values),
                                                 (select count(distinct la_code) from published.scorecard)""")[0])
                assert query(pushed, "select distinct la_code from published.scorecard", user="la_reader") == [(LA,)]
            except Exception as exc:  # noqa: BLE001 - any error is the failure we look for
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for source in (smaller, warehouse, smaller, warehouse):
            push(source, pushed)
    finally:
        stop.set()
        reader.join()
    assert not errors, errors[:3]
    assert seen <= {(2, 2), (1, 1)} and seen


def test_a_push_killed_halfway_leaves_the_previous_tables(pushed, warehouse):
    push(warehouse, pushed)
    before = query(pushed, "select count(*) from published.indicator_values", user="la_reader")
    proc = subprocess.Popen(pipeline_command("push", "--warehouse", str(warehouse), "--postgres", pushed,
                                             pause_at="postgres:copying"), stdout=subprocess.PIPE, text=True,
                            cwd=PROJECT_DIR)
    try:
        assert proc.stdout.readline().strip() == "[pause] postgres:copying"
        assert query(pushed, "select count(*) from published.indicator_values", user="la_reader") == before
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    for _ in range(100):  # the server notices the dropped connection and rolls its transaction back
        if not query(pushed, "select 1 from pg_locks where locktype = 'advisory'"):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the killed push's transaction was never rolled back")
    assert query(pushed, "select count(*) from published.indicator_values", user="la_reader") == before
    assert not query(pushed, "select 1 from pg_namespace where nspname = 'published_next'")
    push(warehouse, pushed)  # nothing left behind blocks the next push
    assert query(pushed, "select count(*) from published.indicator_values", user="la_reader") == before


def test_failed_push_says_so_and_exits_2(pushed, warehouse, capsys):
    bad = pushed.rsplit("/", 1)[0] + "/no_such_database"
    assert main(["push", "--warehouse", str(warehouse), "--postgres", bad]) == 2
    assert "cannot connect to Postgres" in capsys.readouterr().err
    assert query(pushed, "select count(*) from published.indicator_values")[0][0] > 0


def test_refresh_publishes_into_postgres_from_the_environment(postgres_url, tmp_path, monkeypatch, capsys):
    from tests.quality.extracts import write_base

    write_base(tmp_path / "inbox")
    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:
        cur.execute("create database refreshed")
    url = postgres_url.rsplit("/", 1)[0] + "/refreshed"
    monkeypatch.setenv("PIPELINE_POSTGRES_URL", url)
    assert main(["refresh", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    assert query(url, "select count(*) from published.indicator_values") == \
        duck(tmp_path / "w.duckdb", "select count(*) from published.indicator_values")

    # Postgres unreachable: the DuckDB publication stands, the run says so and exits 2
    monkeypatch.setenv("PIPELINE_POSTGRES_URL", postgres_url.rsplit("/", 1)[0] + "/no_such_database")
    capsys.readouterr()
    assert main(["refresh", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb"),
                 "--full"]) == 2
    out = capsys.readouterr().out
    assert "cannot connect to Postgres" in out and "the warehouse was published, but a later step failed" in out
    assert "no_such_database" in out and "Traceback" not in out
    assert len(duck(tmp_path / "w.duckdb", "select distinct run_id from published.publications")) == 2
