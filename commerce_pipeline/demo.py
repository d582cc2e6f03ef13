"""The demo: simulator stores -> tenants -> every asset materialized -> what landed.

Runs on the embedded default only (DuckDB, SQLite control plane, local Dagster
storage under the data home); no credentials, no outside service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from commerce_pipeline.settings import Settings, get_settings
from commerce_pipeline.simulator import SimulatorServer, generate_store, write_ground_truth
from commerce_pipeline.storage import tenant_ground_truth, tenant_outbox, tenant_warehouse
from commerce_pipeline.tenants.crypto import ensure_key_file
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME, tenant_run_tags
from commerce_pipeline.tenants.registry import TenantRegistry
from commerce_pipeline.warehouse import existing_tables, query_readonly

# size -> [(tenant id, number of customers)]: stores of different sizes, same code path.
DEMO_STORES = {
    "tiny": [("demo-corner-shop", 30), ("demo-outfitters", 60)],
    "small": [("demo-corner-shop", 150), ("demo-outfitters", 500), ("demo-megastore", 1500)],
    "medium": [("demo-corner-shop", 500), ("demo-outfitters", 3000), ("demo-megastore", 10000)],
}
SUMMARY_TABLES = (
    "shopify_customers",
    "shopify_orders",
    "shopify_products",
    "shopify_quarantine",
    "profile_members",
    "customer_profile",
    "manual_merge_queue",
    "customer_predictions",
    "model_versions",
)


@dataclass
class DemoTenant:
    tenant_id: str
    customers: int
    success: bool
    counts: dict[str, int]
    models: list[tuple[str, str, str, str]] = field(default_factory=list)  # model, status, metric, reason
    outbox_emails: int = 0  # campaign emails written by the dry run (no SendGrid key in the demo)


def landed_counts(tenant_id: str, settings: Settings | None = None) -> dict[str, int]:
    warehouse = tenant_warehouse(tenant_id, settings)
    existing = existing_tables(warehouse)
    counts = {}
    for table in SUMMARY_TABLES:
        # dlt creates a table only once it receives a row (e.g. no quarantine yet): that is 0.
        if table in existing:
            counts[table] = int(query_readonly(warehouse, f"select count(*) from {table}")[1][0][0])
        else:
            counts[table] = 0
    return counts


def model_summary(tenant_id: str) -> list[tuple[str, str, str, str]]:
    """The latest version of each model: its gate verdict, headline metric and reason."""
    from commerce_pipeline.ml.registry import headline, versions

    latest = {r["model"]: r for r in versions(tenant_id)}
    return [(m, r["status"], headline(r), r["reason"]) for m, r in sorted(latest.items())]


def start_simulator(size: str, port: int, settings: Settings, seed: int = 7):
    stores = [generate_store(t, seed=seed + i, customers=n) for i, (t, n) in enumerate(DEMO_STORES[size])]
    data_dir = settings.home / "simulator"
    server = SimulatorServer(stores, port=port, data_dir=data_dir)
    server.start()
    for store in stores:
        write_ground_truth(store, data_dir / f"{store.shop}.ground_truth.json")
        # Where the identity step looks for known answers, to report its precision and recall.
        write_ground_truth(store, tenant_ground_truth(store.shop, settings))
    return server, stores


def register_tenants(registry: TenantRegistry, server, stores) -> list[str]:
    for store in stores:
        registry.upsert(
            store.shop,
            display_name=store.shop.replace("-", " ").title(),
            shop_domain=f"{store.shop}.myshopify.com",
            api_base_url=server.base_url(store.shop),
            access_token=store.access_token,
            sync_plan="daily",
        )
    return [s.shop for s in stores]


def run_demo(
    size: str = "small", port: int = 0, echo: Callable[[str], None] = print, keep_server: bool = False
):
    """Returns (results, server); the server is stopped unless keep_server is set."""
    from dagster import DagsterInstance

    from commerce_pipeline.definitions import defs
    from commerce_pipeline.instance_setup import ensure_dagster_home

    settings = get_settings()
    ensure_dagster_home(settings)
    ensure_key_file(settings)
    server, stores = start_simulator(size, port, settings)
    echo(f"Shopify simulator on 127.0.0.1:{server.port} with {len(stores)} stores")
    registry = TenantRegistry(settings.control_db_url)
    tenant_ids = register_tenants(registry, server, stores)
    instance = DagsterInstance.get()
    known = set(instance.get_dynamic_partitions(TENANTS_PARTITION_NAME))
    instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [t for t in tenant_ids if t not in known])
    job = defs.resolve_job_def("tenant_refresh")
    emails = defs.resolve_job_def("marketing_email_job")
    results = []
    try:
        for store, tenant_id in zip(stores, tenant_ids):
            echo(f"Materializing every asset for tenant '{tenant_id}' ...")
            outcome = job.execute_in_process(
                instance=instance,
                partition_key=tenant_id,
                tags=tenant_run_tags(tenant_id, trigger="demo"),
                raise_on_error=False,
            )
            if outcome.success:  # what the marketing sensor would launch next, run dry here
                echo(f"Choosing and writing campaign emails for tenant '{tenant_id}' (dry run) ...")
                outcome = emails.execute_in_process(
                    instance=instance, partition_key=tenant_id, raise_on_error=False,
                    tags=tenant_run_tags(tenant_id, trigger="demo"))
            counts = landed_counts(tenant_id, settings) if outcome.success else {}
            models = model_summary(tenant_id) if outcome.success else []
            outbox = len(list(tenant_outbox(tenant_id, settings).glob("*/*.eml")))
            results.append(DemoTenant(tenant_id, store.count("customers"), outcome.success, counts, models,
                                      outbox))
    finally:
        if not keep_server:
            server.stop()
    return results, server
