"""Microbenchmark: what one Dagster event costs the local instance's storage.

    python -m bench.storage                         # our storage and Dagster's `storage: sqlite:`
    python -m bench.storage --events 300 --rounds 5
    python -m bench.storage --storage local some.module.OtherStorage   # any DagsterStorage class

Each round, for each storage in turn (alternating, so a loaded machine weighs on all alike): a
fresh DAGSTER_HOME, one run, then `--events` step events and as many asset materializations
(each stored in the run's file and mirrored in the asset index), reported through the
DagsterInstance as a run reports them. Prints the median over the rounds of milliseconds per
event, CPU (this process) and wall. The first round warms imports and is not counted. A benchmark,
not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid

STORAGES = {
    "local": "commerce_pipeline.instance.local_storage.LocalSqliteStorage",
    "sqlite": None,  # Dagster's own `storage: sqlite:`
}


def _yaml(storage: str | None, home: str) -> str:
    if storage is None:
        return f"storage:\n  sqlite:\n    base_dir: {home}\ntelemetry:\n  enabled: false\n"
    module, cls = storage.rsplit(".", 1)
    return (f"storage:\n  custom:\n    module: {module}\n    class: {cls}\n    config:\n"
            f"      base_dir: {home}\ntelemetry:\n  enabled: false\n")


def _events(run_id: str, n: int):
    from dagster import AssetKey, AssetMaterialization
    from dagster._core.events import (
        DagsterEvent,
        DagsterEventType,
        EngineEventData,
        StepMaterializationData,
    )

    for i in range(n):
        yield DagsterEvent(DagsterEventType.ENGINE_EVENT.value, job_name="bench", step_key="step",
                           message=f"step event {i}", event_specific_data=EngineEventData({}))
        materialization = AssetMaterialization(AssetKey(["bench", f"asset_{i % 20}"]),
                                               partition="tenant-1", metadata={"rows": i})
        yield DagsterEvent(DagsterEventType.ASSET_MATERIALIZATION.value, job_name="bench",
                           step_key="step",
                           event_specific_data=StepMaterializationData(materialization))


def measure(storage: str | None, events: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per event for `2 * events` events into a fresh instance of `storage`."""
    from dagster import DagsterInstance
    from dagster._core.storage.dagster_run import DagsterRun

    with tempfile.TemporaryDirectory(prefix="bench-storage-") as home:
        with open(os.path.join(home, "dagster.yaml"), "w") as f:
            f.write(_yaml(storage, home))
        with DagsterInstance.from_config(home) as instance:
            run = instance.add_run(DagsterRun(job_name="bench", run_id=str(uuid.uuid4())))
            batch = list(_events(run.run_id, events))
            cpu, wall = time.process_time(), time.perf_counter()
            for event in batch:
                instance.report_dagster_event(event, run_id=run.run_id)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return 1000 * cpu / len(batch), 1000 * wall / len(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200,
                        help="engine events, and as many materializations")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--storage", nargs="+", default=list(STORAGES),
                        help="`local`, `sqlite`, or a DagsterStorage class as module.Class")
    args = parser.parse_args()
    classes = {name: STORAGES.get(name, name) for name in args.storage}
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in classes}
    for round_ in range(args.rounds + 1):
        for name, storage in classes.items():
            result = measure(storage, args.events)
            if round_:
                figures[name].append(result)
    print(f"{2 * args.events} events per round (half materializations), "
          f"median of {args.rounds} rounds")
    print(f"{'storage':<60}{'CPU ms/event':>14}{'wall ms/event':>15}")
    for name, results in figures.items():
        cpu, wall = (statistics.median(r[i] for r in results) for i in (0, 1))
        print(f"{name:<60}{cpu:>14.2f}{wall:>15.2f}")


if __name__ == "__main__":
    main()
