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
    # RLS is forced on every table with la_code: the policies bind every non-superuser, whatever it owns
    forced = query(pushed, """select c.relname, c.relrowsecurity and c.relforcerowsecurity
                              from pg_class c join pg_namespace n on n.oid = c.relnamespace
                              where n.nspname = 'published' and c.relname in (select table_name
                                  from information_schema.columns where table_schema = 'published'
                                  and column_name = 'la_code') order by 1""")
    with_la = duck(warehouse, """select distinct table_name from duckdb_columns() where schema_name = 'published'
                                 and column_name = 'la_code' order by 1""")
    assert [table for table, _ in forced] == [table for (table,) in with_la] and len(forced) > 5
    assert [table for table, on in forced if not on] == []


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


def test_reader_never_errors_nor_sees_a_mix_during_publishes(pushed, warehouse, smaller):
    # a second publication with only one LA: a reader must see both tables with 2 LAs or both with 1
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


def la_counts(url: str) -> list[tuple]:
    """What a publication holds, as the owner sees it: rows per LA of two tables."""
    return query(url, """select 'values', la_code, count(*) from published.indicator_values group by 2 union all
                         select 'scorecard', la_code, count(*) from published.scorecard group by 2 order by 1, 2""")


@pytest.fixture(scope="module")
def smaller(warehouse, tmp_path_factory):
    """A second publication, different from the first: OTHER's rows taken out of every published table."""
    path = tmp_path_factory.mktemp("smaller") / "smaller.duckdb"
    shutil.copy(warehouse, path)
    with duckdb.connect(str(path)) as con:
        for (table,) in con.execute("""select table_name from duckdb_columns() where schema_name = 'published'
                                       and column_name = 'la_code' and table_name in
                                       (select table_name from duckdb_tables())""").fetchall():
            con.execute(f"delete from published.{table} where la_code = '{OTHER}'")
    return path


def test_a_push_killed_halfway_leaves_the_previous_tables(pushed, warehouse, smaller):
    push(warehouse, pushed)
    before = la_counts(pushed)
    assert {la for _, la, _ in before} == {LA, OTHER}
    proc = subprocess.Popen(pipeline_command("push", "--warehouse", str(smaller), "--postgres", pushed,
                                             pause_at="postgres:copying"), stdout=subprocess.PIPE, text=True,
                            cwd=PROJECT_DIR)
    try:
        assert proc.stdout.readline().strip() == "[pause] postgres:copying"
        assert la_counts(pushed) == before
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
    assert la_counts(pushed) == before  # the first publication, OTHER's rows included
    assert not query(pushed, "select 1 from pg_namespace where nspname = 'published_next'")
    push(smaller, pushed)  # nothing left behind blocks the next push, and the counts tell the two apart
    assert la_counts(pushed) == [row for row in before if row[1] == LA]
    push(warehouse, pushed)
    assert la_counts(pushed) == before


def test_a_push_failing_halfway_rolls_back_in_process(pushed, warehouse, smaller, tmp_path):
    """A push that fails after its tables are copied (here: a policy that cannot be made, on a table whose
    la_code is a number) rolls back in the pushing process: PostgresError, the previous tables stand."""
    before = la_counts(pushed)
    broken = tmp_path / "broken.duckdb"
    shutil.copy(smaller, broken)  # different content, so the counts would show a partial push
    with duckdb.connect(str(broken)) as con:
        con.execute("create table published.zz_numbered as select 1 as la_code")
    with pytest.raises(PostgresError, match="Postgres publish failed, the previous Postgres tables are unchanged"):
        push(broken, pushed)
    assert la_counts(pushed) == before
    assert not query(pushed, "select 1 from pg_namespace where nspname = 'published_next'")
    assert not query(pushed, "select 1 from pg_tables where tablename = 'zz_numbered'")
    assert not query(pushed, "select 1 from pg_locks where locktype = 'advisory'")  # released with the rollback
    assert query(pushed, "select distinct la_code from published.scorecard", user="la_reader") == [(LA,)]


def test_an_la_role_revoked_then_granted_other_las(pushed, warehouse):
    with pg.connect(pushed) as con, con.cursor() as cur:
        cur.execute("create role la_moving login")
        con.commit()

    def seen():
        return query(pushed, "select distinct la_code from published.scorecard order by 1", user="la_moving")

    grant(pushed, Grant("la_moving", (LA,)))
    assert seen() == [(LA,)]
    revoke(pushed, "la_moving")
    with pytest.raises(Exception, match="permission denied"):
        seen()
    assert "la_moving" not in {g.role for g in stored_grants(pushed)}
    grant(pushed, Grant("la_moving", (OTHER,)))  # granted again, another LA: none of the first one's rows
    assert seen() == [(OTHER,)]
    grant(pushed, Grant("la_moving", (LA, OTHER)))
    push(warehouse, pushed)  # the stored grant is applied to the new tables
    assert seen() == [(LA,), (OTHER,)]
    assert query(pushed, "select count(*) from pg_policies where 'la_moving' = any(roles) and tablename = 'scorecard'") \
        == [(1,)]  # one policy per table, not one per grant made
    revoke(pushed, "la_moving")


def test_a_non_superuser_owner_sees_no_row_without_a_grant(pushed, postgres_url, warehouse):
    """FORCE ROW LEVEL SECURITY binds the owner too, when it is not a superuser (a production setup): the
    role that pushes reads no row of a table with la_code, only the tables without it."""
    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:
        cur.execute("create role pipeline_owner login")
        cur.execute("create database owned owner pipeline_owner")
    owned = postgres_url.rsplit("/", 1)[0] + "/owned"
    owner = owned.replace("postgres@", "pipeline_owner@", 1)
    push(warehouse, owner)
    grant(owner, Grant("la_reader", (LA,)))
    assert query(owner, "select count(*) from published.indicator_values") == [(0,)]
    assert query(owner, "select count(*) from published.indicator_catalogue")[0][0] > 0
    assert query(owned, "select distinct la_code from published.indicator_values", user="la_reader") == [(LA,)]
    assert query(owned, "select count(distinct la_code) from published.indicator_values") == [(2,)]  # all pushed
    assert query(owner, "select tableowner from pg_tables where tablename = 'indicator_values'") == [("pipeline_owner",)]


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
