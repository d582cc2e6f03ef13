"""The local storage shared by processes: each keeps its own open files, and every write lands."""

from __future__ import annotations

import multiprocessing as mp
import os

from dagster import AssetKey, AssetMaterialization, DagsterInstance

EVENTS = 40


def _report(instance: DagsterInstance, writer: str, count: int = EVENTS) -> None:
    for i in range(count):
        event = AssetMaterialization(AssetKey(writer), metadata={"i": i})
        instance.report_runless_asset_event(event)


def _write_from_new_process(home: str, writer: str) -> None:
    os.environ["DAGSTER_HOME"] = home
    with DagsterInstance.get() as instance:
        _report(instance, writer)


def _materializations(instance: DagsterInstance, writer: str) -> int:
    return len(instance.fetch_materializations(AssetKey(writer), limit=10 * EVENTS).records)


def test_two_processes_writing_to_one_instance_both_land(dagster_instance):
    _report(dagster_instance, "parent", 1)  # the parent holds its files open meanwhile
    home = dagster_instance.root_directory
    spawn = mp.get_context("spawn")
    writers = [spawn.Process(target=_write_from_new_process, args=(home, f"child_{n}"))
               for n in (1, 2)]
    for writer in writers:
        writer.start()
    _report(dagster_instance, "parent", EVENTS - 1)
    for writer in writers:
        writer.join(timeout=120)
    assert [w.exitcode for w in writers] == [0, 0]
    counts = {w: _materializations(dagster_instance, w) for w in ("parent", "child_1", "child_2")}
    assert counts == {"parent": EVENTS, "child_1": EVENTS, "child_2": EVENTS}


def _write_after_fork(instance: DagsterInstance) -> None:
    _report(instance, "forked")


def test_a_forked_child_writes_through_connections_of_its_own(dagster_instance):
    _report(dagster_instance, "parent", 1)  # connections open before the fork
    child = mp.get_context("fork").Process(target=_write_after_fork, args=(dagster_instance,))
    child.start()
    child.join(timeout=120)
    _report(dagster_instance, "parent", EVENTS - 1)  # the parent's connections still work
    assert child.exitcode == 0
    assert _materializations(dagster_instance, "forked") == EVENTS
    assert _materializations(dagster_instance, "parent") == EVENTS
