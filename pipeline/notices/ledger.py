"""The delivery ledger: every notice queued, per recipient, and whether it was delivered. A notice is
queued once (its key), so a run that sees the same thing again sends nothing new; one not yet delivered
is tried again by the next run. A SQLite file of its own beside the warehouse (<warehouse>.notices.sqlite):
not in the published DuckDB file, which dashboards read, and writable while a refresh holds that one."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DDL = """create table if not exists notices (
    key text not null,        -- what it is about, e.g. held_back|X2|<run id>: queued once
    channel text not null,    -- email | webhook
    address text not null,
    subject text not null,
    body text not null,
    queued_at text not null,
    sent_at text,             -- null until delivered
    attempts integer not null default 0,
    last_error text,
    primary key (key, channel, address))"""


@dataclass(frozen=True)
class Pending:
    key: str
    channel: str
    address: str
    subject: str
    body: str


def ledger_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.stem + ".notices.sqlite")


@contextmanager
def ledger(warehouse: Path) -> Iterator[sqlite3.Connection]:
    path = ledger_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a refresh's hook and the overdue check may write at once: wait for each other, briefly
    with closing(sqlite3.connect(path, timeout=30)) as con:
        con.execute(DDL)
        with con:
            yield con


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def queue(con: sqlite3.Connection, key: str, recipients: list[tuple[str, str]], subject: str, body: str) -> int:
    """The notice for each (channel, address) not queued under `key` before; how many are new."""
    before = con.total_changes
    con.executemany("insert or ignore into notices (key, channel, address, subject, body, queued_at) "
                    "values (?, ?, ?, ?, ?, ?)", [(key, c, a, subject, body, now()) for c, a in recipients])
    return con.total_changes - before


def pending(con: sqlite3.Connection) -> list[Pending]:
    return [Pending(*row) for row in con.execute(
        "select key, channel, address, subject, body from notices where sent_at is null order by queued_at, key")]


def mark(con: sqlite3.Connection, p: Pending, error: str | None) -> None:
    con.execute("update notices set attempts = attempts + 1, last_error = ?, sent_at = ? "
                "where key = ? and channel = ? and address = ?",
                (error, None if error else now(), p.key, p.channel, p.address))
    con.commit()  # each delivery recorded at once: a crash later must not send it again
