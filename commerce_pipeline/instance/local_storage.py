"""Dagster's local SQLite storage for the embedded default, without an fsync per event.

Dagster's SQLite storages open a connection per write and commit each event on its own (a
materialization is two commits: the run's file and the asset index). They put the files in WAL
mode but keep SQLite's default `synchronous=FULL`, so every commit waits for the disk to flush the
WAL: 10-20 ms on these machines, for the ~1,000 events of one small tenant's runs. In WAL mode
`synchronous=NORMAL` flushes at checkpoints instead; the database stays consistent through any
crash, and a power cut can lose only the last commits before it (never a process crash: the
operating system has them). That is the right trade for a local instance; production runs on
dagster-postgres (README, "Production").

The files, their layout and their schema are Dagster's own (`storage: sqlite:` with the same
base_dir reads them), so an instance can switch between the two either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from sqlalchemy.engine import Connection

SYNCHRONOUS = "NORMAL"


def relax_sync(conn: Connection) -> Connection:
    """Set this connection's `synchronous` level. The sqlite3 driver sends BEGIN only before the
    first write, so the PRAGMA runs outside the transaction, where SQLite applies it."""
    conn.exec_driver_sql(f"PRAGMA synchronous={SYNCHRONOUS}")
    return conn


class LocalEventLogStorage(SqliteEventLogStorage):
    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with super()._connect(shard) as conn:
            yield relax_sync(conn)


class LocalRunStorage(SqliteRunStorage):
    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with super().connect() as conn:
            yield relax_sync(conn)


class LocalScheduleStorage(SqliteScheduleStorage):
    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with super().connect() as conn:
            yield relax_sync(conn)


class LocalSqliteStorage(DagsterSqliteStorage):
    """`storage: custom:` in dagster.yaml; config `base_dir`, as for `storage: sqlite:`."""

    def __init__(self, base_dir: str, inst_data=None):
        # Not DagsterSqliteStorage.__init__: it would open (and migrate) Dagster's own first.
        self.base_dir = base_dir
        self._run_storage = LocalRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = LocalEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = LocalScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> LocalSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
