"""A run's log events stored straight into a Dagster instance, counting the database connections opened
meanwhile: the tests of pipeline/runtime/dagster_storage.py, on SQLite (tests/defs/test_dagster_storage.py)
and on Postgres (tests/postgres/test_production_instance.py)."""

import time

import sqlalchemy
from dagster._core.events.log import EventLogEntry


def event(run_id: str, i: int) -> EventLogEntry:
    """Log event i of the run, as a run stores one: its message is `event i`."""
    return EventLogEntry(None, 20, f"event {i}", run_id, time.time())


def store_counting_connections(instance, run_id: str, count: int) -> tuple[list[str], int]:
    """Store `count` events of the run and read the run's log back: its messages, and the connections any
    SQLAlchemy engine opened meanwhile (Dagster's own storages open one, or more, per event)."""
    opened = []
    listener = lambda *_: opened.append(1)  # noqa: E731
    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "connect", listener)
    try:
        for i in range(count):
            instance.event_log_storage.store_event(event(run_id, i))
        return [e.user_message for e in instance.all_logs(run_id)], len(opened)
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "connect", listener)
