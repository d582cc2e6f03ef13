"""dbt staging models run per tenant, downstream of ingestion, on the tenant's own warehouse."""

import re

from dagster import AssetKey

from commerce_pipeline.definitions import defs
from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_staging
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import scalar, sync


def test_staging_models_follow_ingestion_automatically():
    graph = defs.resolve_asset_graph()
    node = graph.get(AssetKey("stg_shopify__orders"))
    assert AssetKey("shopify_orders") in node.parent_keys
    assert node.automation_condition is not None


def test_staging_builds_for_a_tenant_with_its_dbt_tests_passing(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    result = sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging))
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    assert scalar(tenant, "select count(*) from stg_shopify__orders") == store.count("orders")
    lines = sum(len(o["lineItems"]) for o in store.records("orders"))
    assert scalar(tenant, "select count(*) from stg_shopify__order_lines") == lines
    # emails: trimmed, lower-cased, and null where the syntax is invalid (computed here independently)
    expected = {}
    for customer in store.records("customers"):
        raw = customer.get("email")
        clean = raw.strip().lower() if raw else None
        valid = clean and re.fullmatch(r"[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}", clean)
        expected[int(customer["id"].rsplit("/", 1)[1])] = clean if valid else None
    _, rows = query_readonly(tenant_warehouse(tenant), "select shopify_customer_id, email from stg_shopify__customers")
    assert dict(rows) == expected
    assert any(v is None for v in expected.values()) and any(v for v in expected.values())


def test_staging_builds_on_postgres_in_the_tenant_schema(pg_tenant, dagster_instance):
    tenant, store = pg_tenant
    result = sync(dagster_instance, tenant, assets=(shopify_assets, commerce_dbt_staging))
    assert result.success
    assert scalar(tenant, "select count(*) from stg_shopify__orders") == store.count("orders")
