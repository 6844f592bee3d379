"""A Postgres password, in any form libpq takes, shows nowhere: not on the console, not in Dagster's run
and event storage, not in its compute logs, not in the files beside the warehouse (issue 28)."""

import sqlite3
import zlib
from pathlib import Path

import adbc_driver_postgresql.dbapi as pg
import pytest

from pipeline.cli import main
from pipeline.redact import MASK, passwords, redact

SECRET = "Kx9Secret"  # in every spelling of the passwords below, so one search finds any of them


@pytest.mark.parametrize("conninfo, shown, password", [
    (f"postgresql://owner:{SECRET}@db/warehouse", "postgresql://owner:***@db/warehouse", SECRET),
    (f"postgres://owner:{SECRET}%40%2F@db1:5432,db2:5433/warehouse?sslmode=require",
     "postgres://owner:***@db1:5432,db2:5433/warehouse?sslmode=require", f"{SECRET}@/"),
    (f"postgresql://owner:p@ss{SECRET}@db/warehouse", "postgresql://owner:***@db/warehouse", None),  # a stray "@"
    (f"postgresql://owner@db/warehouse?sslmode=require&password={SECRET}%26x&application_name=a",
     "postgresql://owner@db/warehouse?sslmode=require&password=***&application_name=a", f"{SECRET}&x"),
    (f"postgresql:///warehouse?host=/run/pg&password={SECRET}", "postgresql:///warehouse?host=/run/pg&password=***",
     SECRET),
    (f"host=db port=5432 password={SECRET} dbname=warehouse", "host=db port=5432 password=*** dbname=warehouse",
     SECRET),
    (f"host=db password = {SECRET}", "host=db password = ***", SECRET),
    (f"host=db password='{SECRET} it\\'s \\\\ me' user=owner", "host=db password=*** user=owner",
     f"{SECRET} it's \\ me"),
    (f"host=db password={SECRET}\\ x user=owner", "host=db password=*** user=owner", f"{SECRET} x"),
    (f"host=db sslpassword={SECRET} sslkey=/k", "host=db sslpassword=*** sslkey=/k", SECRET),
    (f"dbname='postgresql://owner:{SECRET}@db/warehouse'", "dbname='postgresql://owner:***@db/warehouse'", SECRET),
    ("postgresql://owner@db/warehouse", "postgresql://owner@db/warehouse", None),  # nothing to hide
    ("host=db passwordless=1 dbname=password", "host=db passwordless=1 dbname=password", None),
])
def test_every_libpq_form_is_redacted(conninfo, shown, password):
    assert redact(conninfo) == shown
    assert redact(conninfo, conninfo) == shown
    assert bool(passwords(conninfo)) == (MASK in shown)
    if password:  # a message that echoes the password as libpq read it, or as Python's repr shows it
        for message in (f"server said: {password} is wrong", f"bad password: {password!r}"):
            assert SECRET not in redact(message, conninfo)


def stored_text(root: Path) -> str:
    """Everything under `root` as text: files raw, and every value of every SQLite table (Dagster's run,
    event and schedule storage), zlib-compressed blobs (its snapshots) decompressed."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        found.append(path.read_bytes().decode("utf-8", "replace"))
        if path.suffix == ".db":
            with sqlite3.connect(path) as db:
                for (table,) in db.execute("select name from sqlite_master where type = 'table'").fetchall():
                    for row in db.execute(f'select * from "{table}"'):
                        found.extend(_text(value) for value in row)
    return "\n".join(found)


def _text(value) -> str:
    if isinstance(value, bytes):
        try:
            value = zlib.decompress(value)
        except zlib.error:
            pass
        return value.decode("utf-8", "replace")
    return str(value)


def test_a_refresh_and_pushes_leave_the_password_nowhere(postgres_url, tmp_path, monkeypatch, capfd):
    from tests.quality.extracts import write_base

    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:
        cur.execute("create database secrets")
    host, port = postgres_url.split("@", 1)[1].split("/", 1)[0].split(":")
    # the test cluster trusts loopback, so the password is taken and ignored: every path it travels is real
    query_form = f"postgresql://postgres@{host}:{port}/secrets?password={SECRET}%20q&sslmode=disable"
    keyvalue_form = f"host={host} port={port} user=postgres dbname=%s password='{SECRET} \\'q'"
    home, inbox, warehouse = tmp_path / "dagster", tmp_path / "inbox", tmp_path / "w.duckdb"
    write_base(inbox)
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    monkeypatch.setenv("PIPELINE_POSTGRES_URL", query_form)
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    with pg.connect(postgres_url.rsplit("/", 1)[0] + "/secrets") as con, con.cursor() as cur:
        cur.execute("select count(*) from published.indicator_values")
        assert cur.fetchone()[0] > 0  # the password's way through the push was taken
    # Postgres refuses (no such database): the error's way through Dagster's events to the console
    assert main(["refresh", "--inbox", str(inbox), "--warehouse", str(warehouse), "--full",
                 "--postgres", keyvalue_form % "nope"]) == 2
    monkeypatch.delenv("PIPELINE_POSTGRES_URL")
    assert main(["push", "--warehouse", str(warehouse), "--postgres", keyvalue_form % "secrets"]) == 0
    assert main(["push", "--warehouse", str(warehouse), "--postgres", query_form.replace("/secrets", "/nope")]) == 2
    assert main(["grant", "--postgres", keyvalue_form % "nope", "--user", "postgres", "--regional"]) == 2

    console = capfd.readouterr()
    assert "cannot connect to Postgres" in console.out and "cannot connect to Postgres" in console.err
    assert SECRET not in console.out + console.err
    assert list(home.glob("storage/*/compute_logs/*.err"))  # the steps' captured output is among what is searched
    stored = stored_text(home)
    assert "postgres_published" in stored and "cannot connect to Postgres" in stored  # the search reads the runs
    assert SECRET not in stored
    assert SECRET not in stored_text(tmp_path / "inbox") + "".join(
        p.read_text(errors="replace") for p in tmp_path.glob("w.*") if p.suffix in (".log", ".txt"))
