"""Tenants run side by side, each writing only its own storage; Postgres works as the warehouse."""

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from commerce_pipeline.settings import get_settings
from commerce_pipeline.storage import tenant_warehouse
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


def test_postgres_warehouse_gets_one_schema_per_tenant(pg_tenant, dagster_instance, postgres_url):
    tenant, store = pg_tenant
    assert sync(dagster_instance, tenant).success
    assert scalar(tenant, "select count(*) from shopify_orders") == store.count("orders")
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as con:
            tables = set(con.execute(sa.text(
                "select table_name from information_schema.tables where table_schema = :s"),
                {"s": tenant_warehouse(tenant).schema}).scalars())
    finally:
        engine.dispose()
    assert {"shopify_customers", "shopify_orders", "shopify_products"} <= tables
