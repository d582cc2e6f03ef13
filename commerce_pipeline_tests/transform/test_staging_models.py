"""dbt staging models run per tenant, downstream of ingestion, on the tenant's own warehouse."""

import re

from dagster import AssetKey, materialize

from commerce_pipeline.definitions import defs
from commerce_pipeline.ingest.assets import shopify_assets
from commerce_pipeline.resources import ShopifySyncResource, build_resources
from commerce_pipeline.storage import tenant_warehouse
from commerce_pipeline.transform.assets import commerce_dbt_models
from commerce_pipeline.warehouse import query_readonly
from commerce_pipeline_tests.helpers import scalar


def test_staging_models_follow_ingestion_automatically():
    graph = defs.resolve_asset_graph()
    node = graph.get(AssetKey("stg_shopify__orders"))
    assert AssetKey("shopify_orders") in node.parent_keys
    assert node.automation_condition is not None


def test_staging_builds_for_a_tenant_with_its_dbt_tests_passing(simulator, tenants, dagster_instance):
    tenant = tenants[0]
    store = simulator.stores[tenant]
    resources = {**build_resources(), "shopify_sync": ShopifySyncResource(sync_lag_seconds=0, bulk_poll_interval=0.05)}
    result = materialize([shopify_assets, commerce_dbt_models], partition_key=tenant,
                         instance=dagster_instance, resources=resources)
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


def test_staging_builds_on_postgres_in_the_tenant_schema(simulator, registry, dagster_instance, postgres_url, monkeypatch):
    import uuid

    import sqlalchemy as sa

    from commerce_pipeline.tenants.partitions import TENANTS_PARTITION_NAME

    store = next(iter(simulator.stores.values()))
    tenant = f"pgt-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("COMMERCE_WAREHOUSE", "postgres")
    monkeypatch.setenv("COMMERCE_PG_URL", postgres_url.replace("+psycopg2", ""))
    registry.add(tenant, display_name="pg", shop_domain=f"{store.shop}.myshopify.com",
                 api_base_url=simulator.base_url(store.shop), access_token=store.access_token)
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION_NAME, [tenant])
    schema = tenant_warehouse(tenant).schema
    try:
        resources = {**build_resources(), "shopify_sync": ShopifySyncResource(sync_lag_seconds=0, bulk_poll_interval=0.05)}
        result = materialize([shopify_assets, commerce_dbt_models], partition_key=tenant,
                             instance=dagster_instance, resources=resources)
        assert result.success
        assert scalar(tenant, "select count(*) from stg_shopify__orders") == store.count("orders")
    finally:
        engine = sa.create_engine(postgres_url)
        with engine.begin() as con:
            con.execute(sa.text(f'drop schema if exists "{schema}" cascade'))
        engine.dispose()
