"""Kept SQLite engines: one per file, the least recently used closed, rebuilt when the file
changes."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3

import pytest
from dagster._core.storage.sqlite import create_db_conn_string

from commerce_pipeline.instance.engines import Engines

NORMAL = 1  # what `PRAGMA synchronous` reads back for NORMAL (FULL is 2)


def _dbapi(engine) -> sqlite3.Connection:
    with engine.connect() as conn:
        return conn.connection.dbapi_connection


def test_one_file_gets_the_same_engine_and_connection_every_time(tmp_path):
    engines = Engines(capacity=2)
    url = create_db_conn_string(str(tmp_path), "a")
    first, new = engines.get(url)
    again, new_again = engines.get(url)
    assert (again, new, new_again) == (first, True, False)
    assert _dbapi(first) is _dbapi(again)


def test_the_least_recently_used_engine_is_closed_beyond_capacity(tmp_path):
    engines = Engines(capacity=2)
    a, b, c = (create_db_conn_string(str(tmp_path), name) for name in "abc")
    held_by_a = _dbapi(engines.get(a)[0])
    engines.get(b)
    engines.get(a)  # a used more recently than b: b goes first
    engines.get(c)
    assert engines.open_files() == [str(tmp_path / "a.db"), str(tmp_path / "c.db")]
    held_by_a.execute("select 1")  # still open
    held_by_b = _dbapi(engines.get(b)[0])  # reopened: a goes now
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        held_by_a.execute("select 1")
    held_by_b.execute("select 1")


def test_every_connection_handed_out_is_in_wal_mode_with_synchronous_normal(tmp_path):
    engine, _ = Engines(capacity=1).get(create_db_conn_string(str(tmp_path), "a"))
    with engine.connect() as first, engine.connect() as second:  # the second is an extra one
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == NORMAL
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_file_deleted_under_its_engine_gets_a_new_engine_on_the_new_file(tmp_path):
    engines = Engines(capacity=1)
    url = create_db_conn_string(str(tmp_path), "a")
    old, _ = engines.get(url)
    with old.begin() as conn:
        conn.exec_driver_sql("create table t (x int)")
    (tmp_path / "a.db").unlink()  # what a wipe in another process does
    engine, new = engines.get(url)
    assert new and engine is not old
    with engine.begin() as conn:
        conn.exec_driver_sql("create table t (x int)")  # the old table went with the old file
        conn.exec_driver_sql("insert into t values (1)")
    assert sqlite3.connect(tmp_path / "a.db").execute("select x from t").fetchall() == [(1,)]


def test_dispose_all_closes_every_kept_connection(tmp_path):
    engines = Engines(capacity=2)
    held = [_dbapi(engines.get(create_db_conn_string(str(tmp_path), name))[0]) for name in "ab"]
    engines.dispose_all()
    assert engines.open_files() == []
    for dbapi in held:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            dbapi.execute("select 1")


def _report_whether_new(engines: Engines, url: str, answers) -> None:
    engine, new = engines.get(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("select 1")
    answers.put(new)


def test_a_forked_child_opens_connections_of_its_own(tmp_path):
    engines = Engines(capacity=1)
    url = create_db_conn_string(str(tmp_path), "a")
    parents = _dbapi(engines.get(url)[0])
    fork = mp.get_context("fork")
    answers = fork.Queue()
    child = fork.Process(target=_report_whether_new, args=(engines, url, answers))
    child.start()
    child.join(timeout=60)
    assert (child.exitcode, answers.get(timeout=5)) == (0, True)
    assert _dbapi(engines.get(url)[0]) is parents  # the parent's own stays open and in use
