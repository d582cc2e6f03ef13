"""Long-lived SQLAlchemy engines for Dagster's SQLite files: one per file, the most recent kept.

Dagster's SQLite storages build a fresh engine (NullPool) for every connection and dispose of it
afterwards, so each event opens the file, compiles its statements again (the compiled-statement
cache belongs to the engine), commits, and closes the file; closing the last connection to a WAL
database checkpoints it and deletes its -wal and -shm files, which the next event creates again.
Here each file keeps one engine whose pool holds one open connection between uses:

- `synchronous` (and WAL, which Dagster sets too) is set once per DBAPI connection, when the
  pool opens it (a `connect` event);
- the busy timeout is Dagster's own (SQLITE_BUSY_TIMEOUT_SECONDS), for every file;
- other processes (webserver, daemon, run workers) share the files as before: WAL mode, and the
  pool rolls back on check-in, so an idle connection holds no read snapshot or lock;
- a file replaced or deleted under an open engine (a wipe, another process) is noticed by its
  inode, and the engine is rebuilt instead of writing into an unlinked file;
- a forked child drops the parent's connections without closing them (SQLAlchemy's rule: a
  SQLite connection must not cross a fork) and opens its own.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

SYNCHRONOUS = "NORMAL"
# One connection kept per file: Dagster's event log serialises its connections with a lock, and
# a burst of concurrent readers (the webserver's threads) gets extra connections, closed on return.
POOL_SIZE = 1


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


class _FileEngine:
    """An engine on one SQLite file, and the inode its connections opened."""

    def __init__(self, conn_string: str):
        self.path = make_url(conn_string).database
        self.inode: int | None = None
        self.engine = create_engine(
            conn_string,
            pool_size=POOL_SIZE,
            max_overflow=-1,  # never wait for a connection: open one more, as NullPool did
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        event.listen(self.engine, "connect", self._on_connect)

    def _on_connect(self, dbapi_connection, _record) -> None:
        # Before any BEGIN: the driver starts transactions only ahead of a write. WAL is what
        # Dagster sets on a new file after creating its tables; set first, the tables' DDL is
        # not flushed statement by statement (on an existing file it is already WAL: a no-op).
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        self.inode = _inode(self.path)

    def is_stale(self) -> bool:
        return self.inode is not None and _inode(self.path) != self.inode


class Engines:
    """Engines by connection string, at most `capacity` of them open (least recently used closed:
    the event log has one file per run). Thread-safe."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._engines: OrderedDict[str, _FileEngine] = OrderedDict()
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def get(self, conn_string: str) -> tuple[Engine, bool]:
        """The engine for `conn_string`, and whether it is new (first use, evicted before, or its
        file replaced or deleted since)."""
        with self._lock:
            if self._pid != os.getpid():
                self._forget_after_fork()
            held = self._engines.get(conn_string)
            if held is not None and held.is_stale():
                self._engines.pop(conn_string).engine.dispose()
                held = None
            if held is not None:
                self._engines.move_to_end(conn_string)
                return held.engine, False
            held = self._engines[conn_string] = _FileEngine(conn_string)
            while len(self._engines) > self.capacity:
                self._engines.popitem(last=False)[1].engine.dispose()
            return held.engine, True

    def open_files(self) -> list[str]:
        with self._lock:
            return [held.path for held in self._engines.values()]

    def dispose_all(self) -> None:
        with self._lock:
            while self._engines:
                self._engines.popitem()[1].engine.dispose()

    def _forget_after_fork(self) -> None:
        for held in self._engines.values():
            held.engine.dispose(close=False)
        self._engines.clear()
        self._pid = os.getpid()
