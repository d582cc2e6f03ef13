"""Dagster's local SQLite storage for the embedded default: open files kept, no fsync per event.

Dagster's SQLite storages build an engine and open the file for every connection, and commit
each event on its own (a materialization twice: the run's file and the asset index). Here:

- each file keeps an engine and one open connection between uses (`engines.py`: one for the
  runs file, one for the schedules file, the 8 most recently used of the event log's per-run
  files and its index), so an event no longer pays for opening the file, compiling its statements
  again, and the checkpoint and WAL deletion that closing the last connection to a file does;
- a table the event log found in the index is not looked for again (Dagster checks before
  every asset check event and dynamic-partition read);
- `synchronous=NORMAL` instead of SQLite's default FULL: in WAL mode a commit then no longer
  waits for the disk to flush the WAL (10-20 ms on these machines) but the checkpoints do; the
  database stays consistent through any crash, and a power cut can lose only the last commits
  before it (a process crash loses nothing: the operating system has them). That is the right
  trade for a local instance; production runs on dagster-postgres (README, "Production").

Everything else is Dagster's: the event log's lock around each connection, its schema checks
and retries, and each connection's transaction. A write to a run's file touches the file, as
the checkpoint on close did, so Dagster's watchers (the webserver's live run logs) still see it.
The files, their layout and their schema are Dagster's own (`storage: sqlite:` with the same
base_dir reads them), and other processes (the webserver, the daemon, run workers) share them
as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import _check as check
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

from commerce_pipeline.instance.engines import Engines

# Run files in use at once: the running run's and the index, plus reads of recent runs.
EVENT_LOG_FILES_OPEN = 8


def _touch(path: str) -> None:
    """Tell Dagster's watchers (the webserver's live run logs) that the run's file changed. They
    watch the .db file; a commit in WAL mode writes only to the -wal file, and the .db file was
    written at each connection's close (the checkpoint), which a kept connection no longer does."""
    try:
        os.utime(path)
    except FileNotFoundError:
        pass


class LocalEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines = Engines(EVENT_LOG_FILES_OPEN)
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data)

    def has_table(self, table_name: str) -> bool:
        # Dagster asks before every asset check event and dynamic-partition read, each time on an
        # engine of its own (a tenant's runs asked 480 times). Migrations add tables, and nothing
        # drops one under a running instance: a table found is remembered; one missing is looked
        # for again next time.
        if table_name not in self._tables_present:
            if not super().has_table(table_name):
                return False
            self._tables_present.add(table_name)
        return True

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # Dagster's _connect with a kept engine in place of a new one per connection.
        with self._db_lock:
            check.str_param(shard, "shard")
            engine, new = self._engines.get(self.conn_string_for_shard(shard))
            if new and not os.path.exists(self.path_for_shard(shard)):
                # Deleted since this process created it (a wipe, another process): create it
                # again, tables included, as a process seeing it for the first time would.
                self._initialized_dbs.discard(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                changes = conn.connection.dbapi_connection.total_changes
                with conn.begin():
                    yield conn
                if conn.connection.dbapi_connection.total_changes != changes:
                    _touch(self.path_for_shard(shard))

    def wipe(self) -> None:
        with self._db_lock:  # close the run files before they are deleted
            self._engines.dispose_all()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._engines.dispose_all()


class _KeptEngine:
    """`connect()` for Dagster's single-file SQLite storages (runs, schedules) on a kept engine."""

    _conn_string: str

    def __init__(self, conn_string: str, inst_data=None):
        self._engines = Engines(capacity=1)
        super().__init__(conn_string, inst_data)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        engine, _ = self._engines.get(self._conn_string)
        with engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        self._engines.dispose_all()


class LocalRunStorage(_KeptEngine, SqliteRunStorage):
    pass


class LocalScheduleStorage(_KeptEngine, SqliteScheduleStorage):
    pass


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
