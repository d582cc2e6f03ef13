"""What the end-to-end benchmarks share: a data home, and simulator stores registered in it
as tenants (registry, partitions), served by the local simulator with its throttle off."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import THROTTLE_OFF


def use_home(home: str) -> None:
    """Point this process (and the children it spawns) at the data home `home`, with this
    Python's own bin folder on PATH: dagster-dbt looks for `dbt` there when definitions load, and
    `.venv/bin/python -m bench.X` does not put the venv on PATH by itself."""
    bin_dir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bin_dir not in path.split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, path]) if path else bin_dir
    os.environ.update(COMMERCE_HOME=home, DAGSTER_HOME=str(Path(home) / "dagster_home"))


def freeze_served_stores() -> None:
    """Exclude everything this process holds now (the generated stores above all) from the
    cyclic garbage collector's scans. From here on the benchmark's parent only serves the stores,
    and its collections kept walking their millions of long-lived objects: the orders export of a
    30k-customer store took 45.8 s of CPU without this and 30.0 s with it."""
    gc.collect()
    gc.freeze()


@contextmanager
def served_tenants(home: str, stores: list) -> Iterator[list[str]]:
    """Register `stores` as tenants of `home` and serve them while the block runs; yields the ids."""
    use_home(home)
    from dagster import DagsterInstance

    from commerce_pipeline.demo import register_tenants
    from commerce_pipeline.instance_setup import ensure_dagster_home
    from commerce_pipeline.settings import get_settings
    from commerce_pipeline.simulator import SimulatorServer
    from commerce_pipeline.tenants.crypto import ensure_key_file
    from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
    from commerce_pipeline.tenants.registry import TenantRegistry

    settings = get_settings()
    ensure_dagster_home(settings)
    ensure_key_file(settings)
    freeze_served_stores()
    with SimulatorServer(stores, data_dir=Path(home) / "sim", **THROTTLE_OFF) as server:
        ids = register_tenants(TenantRegistry(settings.control_db_url), server, stores)
        DagsterInstance.get().add_dynamic_partitions(TENANTS_PARTITION_NAME, ids)
        yield ids
