"""The embedded default's Dagster storage: Dagster's SQLite files, committed without an fsync per event."""

from __future__ import annotations

import sqlite3

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
