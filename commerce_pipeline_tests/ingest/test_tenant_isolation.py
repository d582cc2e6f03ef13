"""Tenants run side by side, each writing only its own storage; Postgres works as the warehouse."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import sqlalchemy as sa

from commerce_pipeline.settings import get_settings
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import scalar, sync

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHOPIFY_ASSETS = "shopify_customers,shopify_orders,shopify_products"


def _emails(records):
    return {r["email"] for r in records if r.get("email")}


def test_cli_materializes_two_tenants_in_parallel_each_into_its_own_storage(simulator, tenants):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "COMMERCE_SYNC_LAG_SECONDS": "0"}
    procs = [
        subprocess.Popen(
            [str(BIN / "dagster"), "asset", "materialize", "-m", "commerce_pipeline.definitions",
             "--select", SHOPIFY_ASSETS, "--partition", tenant],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for tenant in tenants
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(o[-3000:] for o in outputs)
    for tenant in tenants:
        store = simulator.stores[tenant]
        _, rows = query_readonly(tenant_warehouse(tenant), "select email from shopify_customers")
        assert {r[0] for r in rows if r[0]} == _emails(store.records("customers"))
        assert scalar(tenant, "select count(*) from shopify_orders") == store.count("orders")
    a, b = (_emails(simulator.stores[t].records("customers")) for t in tenants)
    assert a.isdisjoint(b)  # so the equality above proves nothing leaked across
    tenant_dirs = sorted(p.name for p in (get_settings().home / "tenants").iterdir())
    assert tenant_dirs == sorted(tenants)


def test_postgres_warehouse_gets_one_schema_per_tenant(simulator, registry, dagster_instance, postgres_url, monkeypatch):
    store = next(iter(simulator.stores.values()))
    tenant = f"pgt-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    registry.add(tenant, display_name="pg", shop_domain=f"{store.shop}.myshopify.com",
                 api_base_url=simulator.base_url(store.shop), access_token=store.access_token)
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant])
    schema = tenant_warehouse(tenant).schema
    engine = sa.create_engine(postgres_url)
    try:
        assert sync(dagster_instance, tenant).success
        assert scalar(tenant, "select count(*) from shopify_orders") == store.count("orders")
        with engine.connect() as con:
            tables = set(con.execute(sa.text(
                "select table_name from information_schema.tables where table_schema = :s"), {"s": schema}).scalars())
        assert {"shopify_customers", "shopify_orders", "shopify_products"} <= tables
    finally:
        with engine.begin() as con:
            con.execute(sa.text(f'drop schema if exists "{schema}" cascade'))
            con.execute(sa.text(f'drop schema if exists "{schema}_staging" cascade'))
        engine.dispose()
