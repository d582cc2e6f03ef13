"""Ingestion benchmark: the bulk JSONL path and the paginated path, with the throttle off.

    python -m bench.ingest --size small            # 10k customers (about 45k orders)
    python -m bench.ingest --customers 2000 --json bench/ingest.json
    python -m bench.ingest --size medium --modes bulk  # the bulk path only

Each path runs in its own process (so peak memory is that stage's own) against the
local simulator, loading through the real dlt source into a fresh DuckDB file. The simulator
runs in this process: its CPU over a stage ("sim cpu s") is the shop's side of it.
Prints a table; --json writes the figures. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.children import result_from_child
from bench.common import THROTTLE_OFF, size_arguments
from bench.common import machine as _machine
from bench.common import peak_rss_mb as _peak_rss_mb
from bench.tenant_setup import freeze_served_stores


def _run_path(mode: str, url: str, token: str, workdir: str, queue) -> None:
    import dlt

    from commerce_pipeline.ingest.shopify.client import ShopifyConnection
    from commerce_pipeline.ingest.shopify.source import SyncReport, shopify_source

    report = SyncReport()
    connection = ShopifyConnection("bench", url, token)
    source = shopify_source(connection, sync_lag_seconds=0, mode=mode, report=report, bulk_poll_interval=0.05)
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_{mode}", pipelines_dir=f"{workdir}/dlt",
        destination=dlt.destinations.duckdb(f"{workdir}/{mode}.duckdb"), dataset_name="bench",
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    pipeline.run(source, loader_file_format="parquet").raise_on_failed_jobs()  # as TenantWarehouse does for DuckDB
    seconds = time.perf_counter() - started
    rows = sum(report.fetched.values())
    queue.put({
        "stage": f"ingest_{mode}", "seconds": round(seconds, 2), "records": rows,
        # The client's own CPU (all its threads): comparable when other work shares the machine.
        "cpu_seconds": round(time.process_time() - cpu_started, 2),
        "records_per_second": round(rows / seconds), "peak_rss_mb": round(_peak_rss_mb()),
        "quarantined": sum(report.quarantined.values()),
    })


def run(customers: int, seed: int = 7, modes: tuple[str, ...] = ("bulk", "pages")) -> dict:
    from commerce_pipeline.simulator import SimulatorServer, generate_store

    started = time.perf_counter()
    store = generate_store("bench-store", seed=seed, customers=customers)
    generated = time.perf_counter() - started
    counts = {r: store.count(r) for r in ("customers", "orders", "products")}
    results = [{"stage": "generate_store", "seconds": round(generated, 2), "records": sum(counts.values()),
                "records_per_second": round(sum(counts.values()) / generated), "peak_rss_mb": round(_peak_rss_mb())}]
    freeze_served_stores()
    with tempfile.TemporaryDirectory() as workdir, SimulatorServer(
        [store], data_dir=Path(workdir) / "sim", **THROTTLE_OFF
    ) as server:
        for mode in modes:
            cpu_started = time.process_time()  # this process: the simulator's threads
            result = result_from_child(_run_path, mode, server.graphql_url(store.shop),
                                       store.access_token, workdir)
            results.append({**result, "sim_cpu_seconds": round(time.process_time() - cpu_started, 2)})
    return {"customers": customers, "store": counts, "machine": _machine(), "stages": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", choices=("bulk", "pages"), nargs="+", default=["bulk", "pages"])
    customers, json_path = size_arguments(__doc__, parser)
    figures = run(customers, modes=tuple(parser.parse_known_args()[0].modes))
    print(f"store: {figures['store']}  machine: {figures['machine']}")
    print(f"{'stage':<16}{'seconds':>9}{'cpu s':>8}{'sim cpu s':>10}{'records':>10}{'records/s':>11}"
          f"{'peak MB':>9}")
    for s in figures["stages"]:
        print(f"{s['stage']:<16}{s['seconds']:>9}{s.get('cpu_seconds', ''):>8}"
              f"{s.get('sim_cpu_seconds', ''):>10}{s['records']:>10}{s['records_per_second']:>11}"
              f"{s['peak_rss_mb']:>9}")
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
