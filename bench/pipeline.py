"""End-to-end benchmark: one simulator store through every Dagster step, as production runs it.

    python -m bench.pipeline --size small            # 10k customers (about 50k orders)
    python -m bench.pipeline --customers 2000 --json bench/pipeline.json
    python -m bench.pipeline --size medium --keep /tmp/medium   # leave the data home in place

The store is served by the local simulator with its throttle off (so our own cost shows), and
the tenant's `tenant_refresh` job (ingestion, staging, identity, profiles and features, the three
models, scoring, Customer 360) then `marketing_email_job` (audience and emails, dry run) run in
one process, in process, on the embedded default (DuckDB, local Dagster storage). Each step's
wall time comes from Dagster's own step events; rows are what the step wrote. Peak memory is the
whole run's (steps share one process). A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time

from bench.children import result_from_child
from bench.common import machine as _machine
from bench.common import peak_rss_mb as _peak_rss_mb
from bench.common import size_arguments
from bench.tenant_setup import served_tenants, use_home

# step -> (stage, the tables whose rows it wrote)
STAGES = {
    "shopify": ("ingestion (bulk)", ("shopify_customers", "shopify_orders", "shopify_products")),
    "commerce_dbt_staging": ("staging (dbt)", ("stg_shopify__customers", "stg_shopify__orders", "stg_shopify__order_lines")),
    "customer_identifiers": ("identifier extraction", ("customer_identifiers",)),
    "identity_resolution": ("identity resolution", ("customer_identifiers",)),
    "commerce_dbt_models": ("profiles, features, marts (dbt)", ("customer_profile", "customer_features_at_cutoffs")),
    "churn_model": ("training: churn", ("customer_features",)),
    "lifetime_value_model": ("training: lifetime value", ("customer_features",)),
    "segment_model": ("training: segments", ("customer_features",)),
    "customer_predictions": ("scoring", ("customer_predictions",)),
    "commerce_dbt_serving": ("customer 360 (dbt)", ("customer_360",)),
    "campaign_audience": ("email preparation: audience", ("campaign_audience",)),
    "email_sends": ("email preparation: render + outbox", ()),
}


def _count(tenant: str, tables: tuple[str, ...]) -> int:
    from commerce_pipeline.storage import tenant_warehouse
    from commerce_pipeline.warehouse import query_readonly

    return sum(int(query_readonly(tenant_warehouse(tenant), f"select count(*) from {t}")[1][0][0]) for t in tables)


def _run(tenant: str, home: str, queue) -> None:
    use_home(home)
    from dagster import DagsterInstance

    from commerce_pipeline.definitions import defs

    instance = DagsterInstance.get()
    steps, wall, cpu = [], time.perf_counter(), time.process_time()
    for job in ("tenant_refresh", "marketing_email_job"):
        result = defs.resolve_job_def(job).execute_in_process(instance=instance, partition_key=tenant)
        assert result.success, f"{job} failed"
        steps += [(e.step_key, e.event_specific_data.duration_ms / 1000) for e in result.get_step_success_events()]
    total, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = []
    for step, seconds in steps:
        stage, tables = STAGES.get(step, (step, ()))
        count = _count(tenant, tables) if tables else None
        if step == "email_sends":  # a dry run: the emails are files in the tenant's outbox
            from commerce_pipeline.storage import tenant_outbox

            count = len(list(tenant_outbox(tenant).glob("*/*.eml")))
        rows.append({"stage": stage, "step": step, "seconds": round(seconds, 2), "rows": count,
                     "rows_per_second": round(count / seconds) if count and seconds else None})
    queue.put({"end_to_end_seconds": round(total, 1), "cpu_seconds": round(cpu, 1),
               "peak_rss_mb": round(_peak_rss_mb()), "stages": rows})


def run(customers: int, keep: str | None = None) -> dict:
    """The simulator serves from this process; the pipeline runs in a child of its own, so its
    time and memory are the pipeline's alone. `keep`: a data home to leave in place (to profile
    one step again on the warehouse the run built) instead of a temporary one."""
    from commerce_pipeline.simulator import generate_store

    with (contextlib.nullcontext(keep) if keep else
          tempfile.TemporaryDirectory(prefix="bench-pipeline-")) as home:
        started = time.perf_counter()
        store = generate_store("bench-store", seed=7, customers=customers)
        generated = time.perf_counter() - started
        with served_tenants(home, [store]) as [tenant]:
            figures = result_from_child(_run, tenant, home)
    return {"machine": _machine(), "customers": customers, "orders": store.count("orders"),
            "generate_seconds": round(generated, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="a data home to build and leave in place (it must not exist)")
    customers, json_path = size_arguments(__doc__, parser)
    f = run(customers, parser.parse_known_args()[0].keep)
    print(f"store: {f['customers']} customers, {f['orders']} orders (generated in {f['generate_seconds']} s)  "
          f"machine: {f['machine']}")
    print(f"{'stage':<38}{'seconds':>9}{'rows':>10}{'rows/s':>10}")
    for s in f["stages"]:
        print(f"{s['stage']:<38}{s['seconds']:>9}{s['rows'] or '':>10}{s['rows_per_second'] or '':>10}")
    print(f"end to end: {f['end_to_end_seconds']} s ({f['cpu_seconds']} s CPU), peak memory {f['peak_rss_mb']} MB")
    if json_path:
        json_path.write_text(json.dumps(f, indent=2))


if __name__ == "__main__":
    main()
