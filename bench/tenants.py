"""Scale in tenants: many tiny stores end to end, runs for different tenants side by side.

    python -m bench.tenants --tenants 100 --customers 200 --workers 2

One simulator serves every store (throttle off); the tenants share one data home, one control
database and one Dagster instance, as in production. Each worker process takes its share of the
tenants and runs `tenant_refresh` then `marketing_email_job` (dry run) for one tenant after
another, so `--workers` tenants run at a time. Per-tenant time is one tenant's two jobs; for a
tiny store it is almost all fixed cost (process-wide imports are paid once per worker, not per
tenant). A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.children import results_from_children
from bench.common import machine as _machine
from bench.common import peak_rss_mb as _peak_rss_mb
from bench.tenant_setup import served_tenants, use_home


def _worker(home: str, tenants: list[str], queue) -> None:
    use_home(home)
    from dagster import DagsterInstance

    from commerce_pipeline.definitions import defs

    instance = DagsterInstance.get()
    for tenant in tenants:
        started = time.perf_counter()
        ok = all(defs.resolve_job_def(job).execute_in_process(instance=instance, partition_key=tenant,
                                                              raise_on_error=False).success
                 for job in ("tenant_refresh", "marketing_email_job"))
        queue.put({"tenant": tenant, "seconds": time.perf_counter() - started, "success": ok,
                   "worker_peak_rss_mb": round(_peak_rss_mb())})


def run(tenants: int, customers: int, workers: int) -> dict:
    from commerce_pipeline.simulator import generate_store

    stores = [generate_store(f"bench-{i:03d}", seed=100 + i, customers=customers) for i in range(tenants)]
    with tempfile.TemporaryDirectory(prefix="bench-tenants-") as home, served_tenants(home, stores) as ids:
        started = time.perf_counter()
        results = results_from_children(_worker, [(home, ids[w::workers]) for w in range(workers)],
                                        expected=len(ids))
        total = time.perf_counter() - started
    seconds = sorted(r["seconds"] for r in results)
    return {"machine": _machine(), "tenants": tenants, "customers_per_tenant": customers, "workers": workers,
            "total_seconds": round(total, 1), "failed": [r["tenant"] for r in results if not r["success"]],
            "per_tenant_mean_seconds": round(statistics.mean(seconds), 1),
            "per_tenant_median_seconds": round(statistics.median(seconds), 1),
            "per_tenant_p95_seconds": round(seconds[int(0.95 * (len(seconds) - 1))], 1),
            "tenants_per_minute": round(60 * tenants / total, 2),
            # What each tenant adds to the whole run's wall time when `workers` run side by side.
            "amortised_seconds_per_tenant": round(total / tenants, 1),
            "worker_peak_rss_mb": max(r["worker_peak_rss_mb"] for r in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures = run(args.tenants, args.customers, args.workers)
    for key, value in figures.items():
        print(f"{key:<30}{value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
