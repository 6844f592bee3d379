"""Dagster's run and event-log storage, on SQLite and on Postgres, with their database connections kept
for the process: the instances of `dagster.yaml` (SQLite in DAGSTER_HOME: `make ui`, `make demo`, CLI
refreshes) and `deploy/dagster.yaml` (Postgres: the production daemon, webserver and their runs).

Dagster's own open a new database connection for every read and write: a run stores about 850 events
for one LA, each in its run's log and most in the asset index too. On SQLite they also make a new
SQLAlchemy engine each time, and closing a database's last connection checkpoints its write-ahead log;
on Postgres each connection is a new server session. A one-LA refresh lost 3 to 4 s to it on SQLite,
and 10 s or more on Postgres, loopback without a password (README "Benchmarks"). These keep a pool of
connections (SQLAlchemy's) per database; everything else is Dagster's, and so are the tables and files.

SQLite: commits use `synchronous=NORMAL`, as SQLite advises for its write-ahead log (_kept_sqlite_engine).
Two things Dagster got from closing are done here instead:
- the UI follows a running run by watching its database file for changes (Dagster's
  SqliteEventLogStorageWatchdog), which a kept connection writes only at checkpoints: storing an event
  touches the file, so the watcher reads the new events at once;
- a process that reads many runs (the webserver) would keep a connection to each: only the last
  KEPT_RUN_DATABASES runs' databases keep theirs.
The folders are Dagster's defaults under `base_dir` (DAGSTER_HOME in dagster.yaml), so an instance
recorded by Dagster's own storage reads the same.

Postgres: one kept connection a process (more while threads overlap), checked before each use and
renewed hourly, so a restarted server costs a reconnect, not a failed run. The webserver replaces it
with its own pool, as Dagster does.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict

import sqlalchemy
from dagster import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sql import create_engine
from dagster_postgres.event_log.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage.run_storage import PostgresRunStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

KEPT_RUN_DATABASES = 8
CONFIG = {"base_dir": StringSource}  # the instance's folder; the storages' are Dagster's defaults under it


def _kept_sqlite_engine(conn_string: str, **options):
    """An engine whose connections SQLAlchemy's pool keeps, committing without waiting for the disk: in
    write-ahead-log mode (Dagster's) SQLite's `synchronous=NORMAL` loses no commit when a process dies,
    only the last ones if the machine loses power, and keeps the database consistent."""
    engine = create_engine(conn_string, **options)
    sqlalchemy.event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
    return engine


class KeptSqliteRunStorage(SqliteRunStorage):
    """Dagster's SqliteRunStorage (runs.db in <base_dir>/history), one engine for the process."""

    @classmethod
    def config_type(cls):
        return CONFIG

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(os.path.join(config_value["base_dir"], "history", ""), inst_data=inst_data)

    def __init__(self, conn_string: str, inst_data=None):
        super().__init__(conn_string, inst_data)
        self._engine = _kept_sqlite_engine(conn_string)

    @contextlib.contextmanager
    def connect(self):
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()


class KeptSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SqliteEventLogStorage (<base_dir>/history/runs: index.db and one database per run),
    one engine per database, the index's and the last KEPT_RUN_DATABASES runs' kept."""

    @classmethod
    def config_type(cls):
        return CONFIG

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(os.path.join(config_value["base_dir"], "history", "runs", ""), inst_data=inst_data)

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, object] = OrderedDict()  # shard -> engine, least recently used first
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    def _engine(self, shard: str):
        with self._engines_lock:
            engine = self._engines.pop(shard, None) or _kept_sqlite_engine(
                self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            self._engines[shard] = engine
            runs = [s for s in self._engines if s != INDEX_SHARD_NAME]
            for old in runs[:-KEPT_RUN_DATABASES]:
                self._engines.pop(old).dispose()
            return engine

    def has_table(self, table_name: str) -> bool:  # asked as each asset check event is stored
        with self._engine(INDEX_SHARD_NAME).connect() as conn:
            return bool(conn.dialect.has_table(conn, table_name))

    @contextlib.contextmanager
    def _connect(self, shard: str):
        with self._db_lock:  # as Dagster's: one connection at a time per storage (its watcher thread)
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def store_event(self, event) -> None:
        super().store_event(event)
        with contextlib.suppress(FileNotFoundError):  # a watcher learns of the new event (module docstring)
            os.utime(self.path_for_shard(event.run_id))

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # its run databases are deleted: no connection may keep one open
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class _KeptPostgres:
    """Mixed in before Dagster's Postgres run or event-log storage: its engine a pool of one kept connection."""

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # Dagster's names its own class, not cls
        return cls(inst_data=inst_data, postgres_url=pg_url_from_config(config_value),
                   should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                   token_provider=get_token_provider_from_config(config_value))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._engine = create_pg_engine(self.postgres_url, self._token_provider, isolation_level="AUTOCOMMIT",
                                        pool_size=1, max_overflow=10, pool_pre_ping=True, pool_recycle=3600)

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()


class KeptPostgresRunStorage(_KeptPostgres, PostgresRunStorage):
    pass


class KeptPostgresEventLogStorage(_KeptPostgres, PostgresEventLogStorage):
    pass
