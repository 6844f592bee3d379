"""Role names and their row-level security policies (issue 28), on the real throwaway cluster: Postgres
cuts names at 63 bytes, so names of policies made from role names collided, and a name Postgres would
cut is two roles in one."""

import threading
import time

import adbc_driver_postgresql.dbapi as pg
import pytest

from pipeline.cli import main
from pipeline.postgres import LOCK_KEY, Grant, grant, push
from tests.postgres.helpers import stored_grants

STEM = "la_reader_" + "x" * 46  # "reader " + STEM is 63 bytes: the old policy names of A and B were one
A, B = STEM + "_aaa", STEM + "_bbb"
OLD = "la_reader_before"  # a role whose policies carry the names of before issue 28


def query(url: str, sql: str, user: str | None = None) -> list[tuple]:
    if user:
        url = url.replace("postgres@", f"{user}@", 1)
    with pg.connect(url) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def execute(url: str, sql: str) -> None:
    with pg.connect(url, autocommit=True) as con, con.cursor() as cur:
        cur.execute(sql)


def la_codes_seen(url: str, user: str) -> list[str]:
    return [r[0] for r in query(url, "select distinct la_code from published.indicator_values order by 1", user)]


def policies(url: str, role: str) -> set[str]:
    return {r[0] for r in query(url, f"select policyname from pg_policies where '{role}'::name = any(roles)")}


@pytest.fixture(scope="module")
def url(postgres_url, warehouse) -> str:
    execute(postgres_url, "create database roles")
    url = postgres_url.rsplit("/", 1)[0] + "/roles"
    for role in (A, B, OLD, "r" * 63):
        execute(url, f'create role "{role}" login')
    push(warehouse, url)
    return url


def test_role_names_postgres_would_cut_are_refused(url, capsys):
    # both are cut to the existing role "r" * 63; "é" is two bytes: 32 of them are 64 bytes
    for role in ("r" * 63 + "_one", "r" * 63 + "_two", "é" * 32):
        for command in (["grant", "--la", "X1"], ["revoke"]):
            assert main([command[0], "--postgres", url, "--user", role, *command[1:]]) == 2
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "longer than Postgres's 63-byte limit" in err, err
    assert stored_grants(url) == []
    assert main(["grant", "--postgres", url, "--user", "r" * 63, "--la", "X1"]) == 0  # the limit itself is fine
    assert la_codes_seen(url, "r" * 63) == ["X1"]


def test_roles_whose_old_policy_names_collided_each_keep_their_own(url, warehouse):
    grant(url, Grant(A, ("X1",)))
    grant(url, Grant(B, ("X2",)))  # before: dropped A's policy, named as B's
    assert (la_codes_seen(url, A), la_codes_seen(url, B)) == (["X1"], ["X2"])
    push(warehouse, url)  # before: "policy already exists", and so on every push after
    assert (la_codes_seen(url, A), la_codes_seen(url, B)) == (["X1"], ["X2"])
    assert policies(url, A).isdisjoint(policies(url, B)) and len(policies(url, A)) == 1


def test_policies_named_before_are_replaced_on_the_next_grant_change_and_push(url, warehouse):
    old_name = f"reader {OLD}"

    def rename_policies_as_before():
        for table, policy in query(url, f"select tablename, policyname from pg_policies where '{OLD}'::name = any(roles)"):
            execute(url, f'alter policy "{policy}" on published.{table} rename to "{old_name}"')
        assert policies(url, OLD) == {old_name}

    grant(url, Grant(OLD, ("X1",)))
    rename_policies_as_before()
    grant(url, Grant(OLD, ("X2",)))  # the old policy, which let it read X1, must go with the change
    assert la_codes_seen(url, OLD) == ["X2"] and old_name not in policies(url, OLD)
    rename_policies_as_before()
    push(warehouse, url)
    assert la_codes_seen(url, OLD) == ["X2"] and policies(url, OLD) and old_name not in policies(url, OLD)


def test_a_grant_change_ended_by_a_deadlock_runs_again(url):
    """Another session (a DBA's) holds a table the grant change must alter, then asks for the lock the
    grant change holds. Postgres ends one side of the cycle, the grant change's here (the other waits 10 s
    before looking for one), and asks for it to be run again: the grant must then apply, not fail."""
    failed = []

    def change() -> None:
        try:
            grant(url, Grant(B, ("X2",)))
        except Exception as exc:
            failed.append(exc)

    with pg.connect(url) as dba, dba.cursor() as cur:
        cur.execute("set deadlock_timeout = '10s'")
        cur.execute("lock table published.indicator_values in access share mode")
        changing = threading.Thread(target=change)
        changing.start()
        waiting = """select count(*) from pg_locks
                     where not granted and relation = 'published.indicator_values'::regclass"""
        deadline = time.monotonic() + 30
        while query(url, waiting) == [(0,)]:
            assert time.monotonic() < deadline, "the grant change never waited for the table"
            time.sleep(0.01)
        cur.execute(f"select pg_advisory_xact_lock({LOCK_KEY})")  # the cycle; granted once the other side ends
        dba.rollback()
    changing.join(60)
    assert failed == [] and la_codes_seen(url, B) == ["X2"], failed
