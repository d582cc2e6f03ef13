"""The embedded default's Dagster storage: Dagster's SQLite files, kept open, committed without an fsync
per event."""

from __future__ import annotations

import queue
import sqlite3
from pathlib import Path

from dagster import AssetKey, AssetMaterialization, DagsterInstance, job, op

from commerce_pipeline.instance.local_storage import (
    LocalEventLogStorage,
    LocalRunStorage,
    LocalScheduleStorage,
)

NORMAL = 1  # what `PRAGMA synchronous` reads back for NORMAL (FULL is 2)


@op
def report_one(context):
    context.log_event(AssetMaterialization(asset_key=AssetKey("probe")))


@job
def probe_job():
    report_one()


def _synchronous(connect) -> int:
    with connect() as conn:
        return conn.exec_driver_sql("PRAGMA synchronous").scalar()


def test_the_instance_template_uses_the_local_storage(dagster_instance):
    assert isinstance(dagster_instance.event_log_storage, LocalEventLogStorage)
    assert isinstance(dagster_instance.run_storage, LocalRunStorage)
    assert isinstance(dagster_instance.schedule_storage, LocalScheduleStorage)


def test_every_storage_connection_commits_without_a_flush_per_transaction(dagster_instance):
    events = dagster_instance.event_log_storage
    assert _synchronous(events.index_connection) == NORMAL
    assert _synchronous(lambda: events.run_connection("some-run")) == NORMAL
    assert _synchronous(dagster_instance.run_storage.connect) == NORMAL
    assert _synchronous(dagster_instance.schedule_storage.connect) == NORMAL


def test_runs_and_materializations_are_stored_and_read_back(dagster_instance):
    result = probe_job.execute_in_process(instance=dagster_instance)
    assert result.success
    assert dagster_instance.get_run_by_id(result.run_id).is_success
    latest = dagster_instance.get_latest_materialization_event(AssetKey("probe"))
    assert latest is not None and latest.run_id == result.run_id


def test_files_are_dagsters_own_layout_readable_by_the_default_sqlite_storage(dagster_instance, tmp_path):
    result = probe_job.execute_in_process(instance=dagster_instance)
    home = dagster_instance.root_directory
    (tmp_path / "plain_home").mkdir()
    (tmp_path / "plain_home" / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {home}\n")
    with DagsterInstance.from_config(str(tmp_path / "plain_home")) as reader:
        assert reader.get_run_by_id(result.run_id).is_success
        assert reader.get_latest_materialization_event(AssetKey("probe")).run_id == result.run_id


def test_the_run_file_stays_in_wal_mode(dagster_instance):
    result = probe_job.execute_in_process(instance=dagster_instance)
    path = f"{dagster_instance.root_directory}/history/runs/{result.run_id}.db"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_connections_to_one_run_file_reuse_one_open_sqlite_connection(dagster_instance):
    events = dagster_instance.event_log_storage
    with events.run_connection("some-run") as first:
        held = first.connection.dbapi_connection
    with events.run_connection("some-run") as again:
        assert again.connection.dbapi_connection is held
    with dagster_instance.run_storage.connect() as first:
        held = first.connection.dbapi_connection
    with dagster_instance.run_storage.connect() as again:
        assert again.connection.dbapi_connection is held


def test_a_table_missing_from_the_index_is_looked_for_again(dagster_instance):
    events = dagster_instance.event_log_storage
    assert not events.has_table("added_by_a_migration")
    with sqlite3.connect(events.path_for_shard("index")) as conn:
        conn.execute("create table added_by_a_migration (x int)")
    assert events.has_table("added_by_a_migration")


def test_runs_after_a_wipe_are_stored_in_files_on_disk(dagster_instance, tmp_path):
    probe_job.execute_in_process(instance=dagster_instance)
    dagster_instance.wipe()
    result = probe_job.execute_in_process(instance=dagster_instance)
    home = dagster_instance.root_directory
    (tmp_path / "plain_home").mkdir()
    (tmp_path / "plain_home" / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {home}\n")
    with DagsterInstance.from_config(str(tmp_path / "plain_home")) as reader:
        assert [r.run_id for r in reader.get_runs()] == [result.run_id]
        assert reader.get_latest_materialization_event(AssetKey("probe")).run_id == result.run_id


def test_a_run_file_deleted_by_another_process_is_created_again_on_the_next_event(dagster_instance):
    events = dagster_instance.event_log_storage
    first = probe_job.execute_in_process(instance=dagster_instance).run_id
    for suffix in ("", "-wal", "-shm"):  # what `dagster instance wipe` elsewhere does
        Path(events.path_for_shard(first) + suffix).unlink(missing_ok=True)
    dagster_instance.report_engine_event("after the delete", run_id=first, job_name="probe_job")
    with sqlite3.connect(events.path_for_shard(first)) as conn:
        assert conn.execute("select count(*) from event_logs").fetchone()[0] == 1


def test_a_watcher_of_a_run_sees_each_event_as_it_is_stored(dagster_instance):
    # The webserver's live run logs: Dagster watches the run's file for changes.
    seen = queue.Queue()
    events = dagster_instance.event_log_storage
    dagster_instance.report_engine_event("before the watch", run_id="watched", job_name="probe_job")
    after = events.get_records_for_run("watched").cursor
    events.watch("watched", after, lambda event, cursor: seen.put(event.message))
    try:
        for n in range(3):
            dagster_instance.report_engine_event(f"event {n}", run_id="watched", job_name="probe_job")
            assert seen.get(timeout=10) == f"event {n}"
    finally:
        events.dispose()
